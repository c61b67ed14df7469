/* sigblock: run a program with some signals blocked.
 *
 *   sigblock SIGNUM[,SIGNUM...] PROGRAM [ARGS...]
 *
 * The signal mask survives fork and execve (signal(7)), so the program and every child it forks start with those
 * signals blocked, whatever handlers they install. The benchmark starts tests/native/fuse_stuck with SIGTERM
 * blocked: its victim inherits the server's SIGTERM handler, which would abort the FUSE connection and let the
 * victim exit cleanly on a daemon's SIGTERM, so that the SIGKILL is what ends it for every daemon (as for the hogs,
 * which ignore SIGTERM). The runner then stops fuse_stuck with SIGINT.
 * Exit codes: 2 bad arguments, 127 exec failed; otherwise the program's.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: sigblock SIGNUM[,SIGNUM...] PROGRAM [ARGS...]\n");
        return 2;
    }
    sigset_t set;
    sigemptyset(&set);
    char *list = argv[1];
    for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
        int sig = atoi(tok);
        if (sig <= 0 || sig >= NSIG || sig == SIGKILL || sig == SIGSTOP) {
            fprintf(stderr, "sigblock: bad signal number '%s'\n", tok);
            return 2;
        }
        sigaddset(&set, sig);
    }
    if (sigprocmask(SIG_BLOCK, &set, NULL) != 0) {
        perror("sigblock: sigprocmask");
        return 2;
    }
    execvp(argv[2], argv + 2);
    perror("sigblock: exec");
    return 127;
}
