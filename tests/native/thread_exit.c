/* thread_exit: a process whose main thread has exited (pthread_exit) while a second thread holds its memory, for the
 * scanner's test that such a process is a candidate, ranked by its mm as the kernel ranks it (find_lock_task_mm).
 *
 *   thread_exit --mib N [--adj A] [--cgroup-procs FILE]
 *
 * Sets its own oom_score_adj (default 1000), optionally moves itself into a cgroup by writing its pid to FILE, starts
 * a second thread that maps and touches N MiB of private anonymous memory, prints
 *   "thread_exit <pid> thread <tid> ready <MiB>" (stdout, flushed)
 * and waits for signals; the main thread calls pthread_exit as soon as the second thread runs. The leader then shows
 * as a zombie in /proc/PID/stat and its /proc/PID/status has no Vm* lines, while /proc/PID/task/TID/status has them.
 * Exit codes: 2 bad arguments, 3 setup failed (adj, cgroup), 4 mmap or thread creation failed.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static long mib = -1;

static int write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    int ok = fputs(text, f) >= 0;
    return (fclose(f) == 0 && ok) ? 0 : -1;
}

static void *holder(void *arg)
{
    (void)arg;
    size_t len = (size_t)mib << 20;
    char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        fprintf(stderr, "thread_exit: mmap of %ld MiB failed: %s\n", mib, strerror(errno));
        exit(4);
    }
    madvise(p, len, MADV_NOHUGEPAGE);
    for (size_t off = 0; off < len; off += 4096)
        p[off] = 1;
    printf("thread_exit %d thread %d ready %ld\n", getpid(), gettid(), mib);
    fflush(stdout);
    for (;;)
        pause();
    return NULL;
}

int main(int argc, char **argv)
{
    long adj = 1000;
    const char *cgroup_procs = NULL;
    for (int i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(argv[i], "--mib") && v) { mib = atol(v); i++; }
        else if (!strcmp(argv[i], "--adj") && v) { adj = atol(v); i++; }
        else if (!strcmp(argv[i], "--cgroup-procs") && v) { cgroup_procs = v; i++; }
        else { fprintf(stderr, "usage: thread_exit --mib N [--adj A] [--cgroup-procs FILE]\n"); return 2; }
    }
    if (mib <= 0 || adj < -1000 || adj > 1000) {
        fprintf(stderr, "usage: thread_exit --mib N [--adj A] [--cgroup-procs FILE]\n");
        return 2;
    }
    char text[32];
    snprintf(text, sizeof text, "%ld\n", adj);
    if (write_file("/proc/self/oom_score_adj", text) != 0) {
        fprintf(stderr, "thread_exit: cannot set oom_score_adj %ld: %s\n", adj, strerror(errno));
        return 3;
    }
    if (cgroup_procs) {
        snprintf(text, sizeof text, "%d\n", getpid());
        if (write_file(cgroup_procs, text) != 0) {
            fprintf(stderr, "thread_exit: cannot join %s: %s\n", cgroup_procs, strerror(errno));
            return 3;
        }
    }
    pthread_t thread;
    if (pthread_create(&thread, NULL, holder, NULL) != 0) {
        fprintf(stderr, "thread_exit: pthread_create failed\n");
        return 4;
    }
    pthread_exit(NULL);
}
