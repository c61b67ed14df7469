/* pid_at: start a process that gets a chosen pid, to reproduce PID reuse on purpose.
 *
 *   pid_at PID [--attempts N]
 *
 * As root: takes an exclusive flock on /proc/sys/kernel/ns_last_pid (the lock CRIU uses, so cooperating tools
 * do not interleave), writes PID-1 to it and forks, so the kernel's cyclic pid allocator hands PID to the child
 * (kernel/pid.c alloc_pid: idr_alloc_cyclic from last_pid + 1). Another process on the machine may fork in
 * between and take PID first: then the child exits and it tries again, up to N times (default 50).
 * The child with the wanted pid sets its oom_score_adj to 1000, has PR_SET_PDEATHSIG SIGKILL (it dies with this
 * launcher, so a test that ends the launcher leaves nothing behind) and waits for signals. The launcher prints
 * "pid_at <PID> ready" (stdout, flushed) and then waits for the child; it exits with 0 when the child was killed.
 * Exit codes: 2 bad arguments, 3 PID was taken on every attempt, 4 setup failed (ns_last_pid, fork).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    long want = argc > 1 ? atol(argv[1]) : 0;
    long attempts = 50;
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--attempts") && i + 1 < argc) attempts = atol(argv[++i]);
        else want = 0;
    }
    if (want <= 1 || attempts <= 0) {
        fprintf(stderr, "usage: pid_at PID [--attempts N]\n");
        return 2;
    }
    int fd = open("/proc/sys/kernel/ns_last_pid", O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        fprintf(stderr, "pid_at: cannot open ns_last_pid: %s\n", strerror(errno));
        return 4;
    }
    pid_t launcher = getpid();
    for (long attempt = 0; attempt < attempts; attempt++) {
        if (flock(fd, LOCK_EX) != 0) {
            fprintf(stderr, "pid_at: flock: %s\n", strerror(errno));
            return 4;
        }
        char text[32];
        int n = snprintf(text, sizeof text, "%ld", want - 1);
        if (pwrite(fd, text, n, 0) != n) {
            fprintf(stderr, "pid_at: cannot write ns_last_pid: %s\n", strerror(errno));
            return 4;
        }
        pid_t child = fork();
        if (child < 0) {
            fprintf(stderr, "pid_at: fork: %s\n", strerror(errno));
            return 4;
        }
        if (child == 0) {
            if (getpid() != want)
                _exit(1);
            prctl(PR_SET_PDEATHSIG, SIGKILL);
            if (getppid() != launcher)
                _exit(1);
            int adj = open("/proc/self/oom_score_adj", O_WRONLY);
            if (adj >= 0) {
                ssize_t w = write(adj, "1000", 4);
                (void)w;
                close(adj);
            }
            for (;;)
                pause();
        }
        flock(fd, LOCK_UN);
        if (child == want) {
            printf("pid_at %d ready\n", child);
            fflush(stdout);
            int status;
            while (waitpid(child, &status, 0) < 0 && errno == EINTR)
                ;
            return 0;
        }
        waitpid(child, NULL, 0);
    }
    fprintf(stderr, "pid_at: pid %ld was taken by another process on each of %ld attempts\n", want, attempts);
    return 3;
}
