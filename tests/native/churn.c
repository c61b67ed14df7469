/* churn: many short-lived processes, for reapd's scan tests.
 *
 *   churn --count N [--parallel P] [--cgroup-procs FILE] [--adj A] [--child-adj A] [--child-name NAME]
 *         [--killed-file FILE]
 *
 * Sets its own oom_score_adj (default 0), optionally moves itself into a cgroup by writing its pid to FILE, prints
 * "churn <pid> start" (stdout, flushed), then forks N children in all, at most P (default 32) alive at once. Each
 * child sets its oom_score_adj to --child-adj (default: inherited) and its name to --child-name (default: inherited),
 * sleeps 1–4 ms (so that scans meet it alive, exiting and gone) and exits 0. The parent reaps every child and records
 * how it ended: an exit code, or the signal that killed it. For a child killed by a signal it first reads, while the
 * child is still a zombie (waitid with WNOWAIT), its start time (field 22 of /proc/PID/stat), and with --killed-file
 * appends "<pid> <start ticks> <signal>" to FILE: who exactly was killed, even after its pid has been reused.
 * A wrap is counted each time a child's pid is lower than the one forked before it.
 * At the end it prints "churn <pid> done <N> exited <E> signalled <S> signals <list of signal numbers or -> wraps <W>"
 * and exits 0.
 * Exit codes: 0 done, 2 bad arguments, 3 setup failed (adj, cgroup, pid file), 4 fork failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
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
    long count = -1, parallel = 32, adj = 0, child_adj = 2000;
    const char *cgroup_procs = NULL, *killed_file = NULL, *child_name = NULL;
    for (int i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(argv[i], "--count") && v) { count = atol(v); i++; }
        else if (!strcmp(argv[i], "--parallel") && v) { parallel = atol(v); i++; }
        else if (!strcmp(argv[i], "--adj") && v) { adj = atol(v); i++; }
        else if (!strcmp(argv[i], "--cgroup-procs") && v) { cgroup_procs = v; i++; }
        else if (!strcmp(argv[i], "--child-adj") && v) { child_adj = atol(v); i++; }
        else if (!strcmp(argv[i], "--child-name") && v) { child_name = v; i++; }
        else if (!strcmp(argv[i], "--killed-file") && v) { killed_file = v; i++; }
        else {
            fprintf(stderr, "usage: churn --count N [--parallel P] [--cgroup-procs FILE] [--adj A] [--child-adj A] [--child-name NAME] [--killed-file FILE]\n");
            return 2;
        }
    }
    if (count < 0 || parallel < 1 || adj < -1000 || adj > 1000 || (child_adj != 2000 && (child_adj < -1000 || child_adj > 1000)))
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
    FILE *killed = NULL;
    if (killed_file && !(killed = fopen(killed_file, "a"))) {
        fprintf(stderr, "churn: cannot open %s: %s\n", killed_file, strerror(errno));
        return 3;
    }
    char child_adj_text[32];
    snprintf(child_adj_text, sizeof child_adj_text, "%ld\n", child_adj);
    printf("churn %d start\n", getpid());
    fflush(stdout);
    long forked = 0, alive = 0, exited = 0, signalled = 0, wraps = 0;
    pid_t last = 0;
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
                if (child_adj != 2000 && write_file("/proc/self/oom_score_adj", child_adj_text) != 0)
                    _exit(3);
                if (child_name)
                    prctl(PR_SET_NAME, child_name);
                struct timespec pause = { 0, (1 + getpid() % 4) * 1000000L };
                nanosleep(&pause, NULL);
                _exit(0);
            }
            if (child < last)
                wraps++;
            last = child;
            forked++;
            alive++;
        }
        siginfo_t info = { 0 };
        if (waitid(P_ALL, 0, &info, WEXITED | WNOWAIT) != 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        if (info.si_code == CLD_KILLED || info.si_code == CLD_DUMPED) {
            /* Still a zombie: its /proc/PID/stat names exactly this process. */
            char path[64], stat[1024];
            unsigned long long start = 0;
            snprintf(path, sizeof path, "/proc/%d/stat", info.si_pid);
            int fd = open(path, O_RDONLY | O_CLOEXEC);
            ssize_t got = fd < 0 ? -1 : read(fd, stat, sizeof stat - 1);
            if (fd >= 0)
                close(fd);
            if (got > 0) {
                stat[got] = 0;
                char *field = strrchr(stat, ')');
                for (int index = 2; field && index < 22; index++)
                    field = strchr(field + 1, ' ');
                if (field)
                    start = strtoull(field + 1, NULL, 10);
            }
            if (killed) {
                fprintf(killed, "%d %llu %d\n", info.si_pid, start, info.si_status);
                fflush(killed);
            }
        }
        int status;
        pid_t done = waitpid(info.si_pid, &status, 0);
        if (done < 0)
            break;
        alive--;
        if (WIFSIGNALED(status)) {
            signalled++;
            if (WTERMSIG(status) < 65)
                seen[WTERMSIG(status)] = 1;
        } else {
            exited++;
        }
    }
    if (killed)
        fclose(killed);
    printf("churn %d done %ld exited %ld signalled %ld signals", getpid(), forked, exited, signalled);
    int any = 0;
    for (int s = 1; s < 65; s++)
        if (seen[s]) {
            printf("%s%d", any ? "," : " ", s);
            any = 1;
        }
    printf("%s wraps %ld\n", any ? "" : " -", wraps);
    fflush(stdout);
    return 0;
}
