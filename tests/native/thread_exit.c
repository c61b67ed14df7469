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

#include "helper_setup.h"

static long mib = -1;

static void *holder(void *arg)
{
    (void)arg;
    helper_touch("thread_exit", mib);
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
    helper_setup("thread_exit", adj, cgroup_procs);
    pthread_t thread;
    if (pthread_create(&thread, NULL, holder, NULL) != 0) {
        fprintf(stderr, "thread_exit: pthread_create failed\n");
        return 4;
    }
    pthread_exit(NULL);
}
