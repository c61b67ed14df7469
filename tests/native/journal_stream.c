/* journal_stream: runs a command whose stdout is a stream socket named by JOURNAL_STREAM, as systemd runs a unit with
 * StandardOutput=journal (systemd.exec(5): JOURNAL_STREAM="DEVICE:INODE" of that socket), and copies what the command
 * writes there to its own stdout, so a test can read it.
 *
 *   journal_stream COMMAND [ARG]...
 *
 * Prints "journal_stream child <pid>" (flushed) first, so the test can signal the command itself. The command gets
 * PR_SET_PDEATHSIG SIGKILL: it never outlives this helper. Ends when the command closes the socket, with the command's
 * exit status (128 + the signal if it was killed).
 * Exit codes: 2 bad arguments, 3 setup failed (socketpair, fstat, fork).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: journal_stream COMMAND [ARG]...\n");
        return 2;
    }
    int pair[2];
    struct stat st;
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0 || fstat(pair[1], &st) != 0) {
        perror("journal_stream: socketpair");
        return 3;
    }
    char stream[64];
    snprintf(stream, sizeof stream, "%lu:%lu", (unsigned long)st.st_dev, (unsigned long)st.st_ino);
    pid_t child = fork();
    if (child < 0) {
        perror("journal_stream: fork");
        return 3;
    }
    if (child == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        /* dup2 clears FD_CLOEXEC on fd 1; the other ends close at exec. */
        if (dup2(pair[1], 1) < 0 || setenv("JOURNAL_STREAM", stream, 1) != 0)
            _exit(3);
        execvp(argv[1], argv + 1);
        perror("journal_stream: exec");
        _exit(127);
    }
    close(pair[1]);
    printf("journal_stream child %d\n", (int)child);
    fflush(stdout);
    char buffer[65536];
    for (;;) {
        ssize_t n = read(pair[0], buffer, sizeof buffer);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        for (ssize_t done = 0; done < n;) {
            ssize_t w = write(1, buffer + done, (size_t)(n - done));
            if (w < 0 && errno == EINTR)
                continue;
            if (w < 0)
                return 3;
            done += w;
        }
    }
    int status;
    while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
