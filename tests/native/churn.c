/* churn: many short-lived processes, for reapd's scan tests.
 *
 *   churn --count N [--parallel P] [--cgroup-procs FILE] [--adj A] [--pid-file FILE]
 *
 * Sets its own oom_score_adj (default 0; the children inherit it), optionally moves itself into a cgroup by writing
 * its pid to FILE, prints "churn <pid> start" (stdout, flushed), then forks N children in all, at most P (default 32)
 * alive at once. Each child sleeps 1–4 ms (so that scans meet it alive, half-dead and gone) and exits 0. The parent
 * reaps every child and records how it ended: an exit code, or the signal that killed it. With --pid-file every
 * child's pid is appended to FILE as it is forked (one per line), so a test can match signals against them.
 * At the end it prints "churn <pid> done <N> exited <E> signalled <S> signals <list of signal numbers or ->"
 * and exits 0; any child that ended by a signal is in S (a signal nobody in the test meant for it).
 * Exit codes: 0 done, 2 bad arguments, 3 setup failed (adj, cgroup, pid file), 4 fork failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int write_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = write(fd, text, strlen(text));
    close(fd);
    return n == (ssize_t)strlen(text) ? 0 : -1;
}

int main(int argc, char **argv)
{
    long count = -1, parallel = 32, adj = 0;
    const char *cgroup_procs = NULL, *pid_file = NULL;
    for (int i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(argv[i], "--count") && v) { count = atol(v); i++; }
        else if (!strcmp(argv[i], "--parallel") && v) { parallel = atol(v); i++; }
        else if (!strcmp(argv[i], "--adj") && v) { adj = atol(v); i++; }
        else if (!strcmp(argv[i], "--cgroup-procs") && v) { cgroup_procs = v; i++; }
        else if (!strcmp(argv[i], "--pid-file") && v) { pid_file = v; i++; }
        else {
            fprintf(stderr, "usage: churn --count N [--parallel P] [--cgroup-procs FILE] [--adj A] [--pid-file FILE]\n");
            return 2;
        }
    }
    if (count < 0 || parallel < 1 || adj < -1000 || adj > 1000)
        return 2;
    char text[32];
    snprintf(text, sizeof text, "%ld\n", adj);
    if (write_file("/proc/self/oom_score_adj", text) != 0) {
        fprintf(stderr, "churn: cannot set oom_score_adj %ld: %s\n", adj, strerror(errno));
        return 3;
    }
    if (cgroup_procs) {
        snprintf(text, sizeof text, "%d\n", getpid());
        if (write_file(cgroup_procs, text) != 0) {
            fprintf(stderr, "churn: cannot join %s: %s\n", cgroup_procs, strerror(errno));
            return 3;
        }
    }
    FILE *pids = NULL;
    if (pid_file && !(pids = fopen(pid_file, "a"))) {
        fprintf(stderr, "churn: cannot open %s: %s\n", pid_file, strerror(errno));
        return 3;
    }
    printf("churn %d start\n", getpid());
    fflush(stdout);
    long forked = 0, alive = 0, exited = 0, signalled = 0;
    int seen[65] = { 0 };
    while (forked < count || alive > 0) {
        while (forked < count && alive < parallel) {
            pid_t child = fork();
            if (child < 0) {
                if (errno == EAGAIN)
                    break;
                fprintf(stderr, "churn: fork: %s\n", strerror(errno));
                return 4;
            }
            if (child == 0) {
                struct timespec pause = { 0, (1 + getpid() % 4) * 1000000L };
                nanosleep(&pause, NULL);
                _exit(0);
            }
            if (pids)
                fprintf(pids, "%d\n", child);
            forked++;
            alive++;
        }
        int status;
        pid_t done = wait(&status);
        if (done < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        alive--;
        if (WIFSIGNALED(status)) {
            signalled++;
            if (WTERMSIG(status) < 65)
                seen[WTERMSIG(status)] = 1;
        } else {
            exited++;
        }
    }
    if (pids)
        fclose(pids);
    printf("churn %d done %ld exited %ld signalled %ld signals", getpid(), forked, exited, signalled);
    int any = 0;
    for (int s = 1; s < 65; s++)
        if (seen[s]) {
            printf("%s%d", any ? "," : " ", s);
            any = 1;
        }
    printf("%s\n", any ? "" : " -");
    fflush(stdout);
    return 0;
}
