/* forkstorm: many small processes competing for memory, with constant process churn.
 *
 *   forkstorm --workers N --mib-each S --rate-mib-s R [--churn-per-s C] [--page 4k|thp] [--cgroup-procs FILE]
 *             [--adj A] [--ignore-term]
 *
 * Sets its own oom_score_adj (default 1000; the children inherit it), optionally joins a cgroup (so every child is
 * in it too), then forks N workers. Each worker maps and touches S MiB of private anonymous memory in 2 MiB steps
 * (4 KiB pages, or transparent huge pages with --page thp: fresh 4 KiB faults are slow in a VM), paced so that all
 * workers together grow at R MiB/s, then holds its memory until killed. Meanwhile the
 * parent forks C short-lived children per second (each touches 1 MiB and exits at once), so an OOM killer scanning
 * /proc sees pids appear and vanish under it. The parent itself holds almost nothing. With --ignore-term the parent
 * and every child ignore SIGTERM (so a SIGKILL is what ends any of them).
 * Lines on stdout (flushed): "worker <pid> start", "worker <pid> ready <MiB>", "worker <pid> dead signal <n>" or
 * "worker <pid> dead exit <n>", "forkstorm <pid> ready" once every worker is started.
 * Exit codes: 2 bad arguments, 3 setup failed. It runs until killed (the runner ends it and its workers).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void sleep_s(double s)
{
    if (s <= 0)
        return;
    struct timespec ts = { (time_t)s, (long)((s - (time_t)s) * 1e9) };
    nanosleep(&ts, NULL);
}

static int write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    int ok = fputs(text, f) >= 0;
    return (fclose(f) == 0 && ok) ? 0 : -1;
}

static int use_thp;

static void touch_mib(long mib)
{
    size_t len = (size_t)mib << 20;
    char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        _exit(4);
    madvise(p, len, use_thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
    for (size_t off = 0; off < len; off += 4096)
        p[off] = 1;
}

static void worker(long mib, double rate_mib_s)
{
    printf("worker %d start\n", getpid());
    fflush(stdout);
    double t0 = now_s();
    for (long done = 2; done <= mib; done += 2) {
        touch_mib(2);
        sleep_s(t0 + done / rate_mib_s - now_s());
    }
    printf("worker %d ready %ld\n", getpid(), mib);
    fflush(stdout);
    for (;;)
        pause();
}

static void reap(void)
{
    int status;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        /* Short-lived churn children exit with 0; only report workers (and churners that were killed). */
        if (WIFSIGNALED(status))
            printf("worker %d dead signal %d\n", pid, WTERMSIG(status));
        else if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
            printf("worker %d dead exit %d\n", pid, WEXITSTATUS(status));
        fflush(stdout);
    }
}

int main(int argc, char **argv)
{
    long workers = -1, mib_each = -1, adj = 1000;
    double rate = 0, churn = 0;
    int ignore_term = 0;
    const char *cgroup_procs = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--workers") && v) { workers = atol(v); i++; }
        else if (!strcmp(a, "--mib-each") && v) { mib_each = atol(v); i++; }
        else if (!strcmp(a, "--rate-mib-s") && v) { rate = atof(v); i++; }
        else if (!strcmp(a, "--churn-per-s") && v) { churn = atof(v); i++; }
        else if (!strcmp(a, "--page") && v && (!strcmp(v, "thp") || !strcmp(v, "4k"))) { use_thp = !strcmp(v, "thp"); i++; }
        else if (!strcmp(a, "--cgroup-procs") && v) { cgroup_procs = v; i++; }
        else if (!strcmp(a, "--adj") && v) { adj = atol(v); i++; }
        else if (!strcmp(a, "--ignore-term")) ignore_term = 1;
        else { workers = -1; break; }
    }
    if (workers <= 0 || workers > 4096 || mib_each <= 0 || rate <= 0 || churn < 0 || adj < -1000 || adj > 1000) {
        fprintf(stderr, "usage: forkstorm --workers N --mib-each S --rate-mib-s R [--churn-per-s C] "
                        "[--page 4k|thp] [--cgroup-procs FILE] [--adj A] [--ignore-term]\n");
        return 2;
    }
    char text[32];
    snprintf(text, sizeof text, "%ld\n", adj);
    if (write_file("/proc/self/oom_score_adj", text) != 0) {
        fprintf(stderr, "forkstorm: cannot set oom_score_adj: %s\n", strerror(errno));
        return 3;
    }
    if (cgroup_procs) {
        snprintf(text, sizeof text, "%d\n", getpid());
        if (write_file(cgroup_procs, text) != 0) {
            fprintf(stderr, "forkstorm: cannot join %s: %s\n", cgroup_procs, strerror(errno));
            return 3;
        }
    }
    if (ignore_term)
        signal(SIGTERM, SIG_IGN); /* inherited by every child: SIG_IGN survives fork */
    setvbuf(stdout, NULL, _IOLBF, 0);
    double per_worker_rate = rate / workers;
    for (long i = 0; i < workers; i++) {
        pid_t pid = fork();
        if (pid < 0) {
            fprintf(stderr, "forkstorm: fork: %s\n", strerror(errno));
            return 3;
        }
        if (pid == 0)
            worker(mib_each, per_worker_rate);
    }
    printf("forkstorm %d ready\n", getpid());
    fflush(stdout);
    double period = churn > 0 ? 1.0 / churn : 0.05;
    for (;;) {
        if (churn > 0) {
            pid_t pid = fork();
            if (pid == 0) {
                use_thp = 0;
                touch_mib(1);
                _exit(0);
            }
        }
        sleep_s(period);
        reap();
    }
}
