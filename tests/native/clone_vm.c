/* clone_vm: a memory hog and a second process sharing its mm, for the kill protocol's sharer tests.
 *
 *   clone_vm --mib N [--adj A] [--cgroup-procs FILE] [--sharer-name NAME] [--ignore-term] [--usr-signals]
 *
 * Sets its own oom_score_adj (default 1000), optionally moves itself into a cgroup by writing its pid to FILE,
 * maps and touches N MiB of private anonymous memory, then creates a child with clone(CLONE_VM | SIGCHLD): a
 * separate process (its own pid and thread group, not a thread) that shares the very same mm, like a vfork child
 * that never execs. process_mrelease refuses to reap the parent while that child lives and is not dying
 * (task_will_free_mem, docs/kernel.md C.3: EINVAL), so a correct killer must find it (kcmp KCMP_VM) and kill it too.
 * The child inherits the cgroup and oom_score_adj; it has no PR_SET_PDEATHSIG, so it outlives its parent unless
 * killed. With --sharer-name the child names itself NAME (its comm, PR_SET_NAME) before the ready line, e.g. to be a
 * sharer whose name the killer protects. --ignore-term: both ignore SIGTERM (a victim that outlasts its grace).
 * --usr-signals: in either process, SIGUSR1 makes it exit (the other, sharing nothing but the mm, stays; a child that
 * exits is a zombie, as the parent never waits) and SIGUSR2 makes it exec `sleep infinity`: the same pid and start
 * time, a new mm with a new layout, so a sharer that "changed" under a killer is a real one. Prints "clone_vm <parent pid> sharer <child pid> ready <MiB>" (stdout,
 * flushed), then both wait for signals.
 * Exit codes: 2 bad arguments, 3 setup failed (adj, cgroup), 4 mmap or clone failed.
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "helper_setup.h"

static const char *sharer_name;

/* Both run on the shared mm with their own signal handler tables (no CLONE_SIGHAND): only async-signal-safe calls. */
static void on_usr1(int sig)
{
    (void)sig;
    _exit(0);
}

static void on_usr2(int sig)
{
    (void)sig;
    execl("/bin/sleep", "sleep", "infinity", (char *)NULL);
    _exit(5);
}
static volatile int sharer_named;

static int sharer_main(void *arg)
{
    (void)arg;
    /* Shares the parent's memory (and its libc state): only name itself (a syscall), then wait for a signal. */
    if (sharer_name)
        prctl(PR_SET_NAME, sharer_name);
    __atomic_store_n(&sharer_named, 1, __ATOMIC_SEQ_CST);
    for (;;)
        pause();
    return 0;
}

int main(int argc, char **argv)
{
    long mib = -1, adj = 1000;
    const char *cgroup_procs = NULL;
    for (int i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(argv[i], "--mib") && v) { mib = atol(v); i++; }
        else if (!strcmp(argv[i], "--adj") && v) { adj = atol(v); i++; }
        else if (!strcmp(argv[i], "--cgroup-procs") && v) { cgroup_procs = v; i++; }
        else if (!strcmp(argv[i], "--sharer-name") && v) { sharer_name = v; i++; }
        else if (!strcmp(argv[i], "--ignore-term")) signal(SIGTERM, SIG_IGN); /* inherited by the clone */
        else if (!strcmp(argv[i], "--usr-signals")) { signal(SIGUSR1, on_usr1); signal(SIGUSR2, on_usr2); }
        else { fprintf(stderr, "usage: clone_vm --mib N [--adj A] [--cgroup-procs FILE] [--sharer-name NAME] [--ignore-term] [--usr-signals]\n"); return 2; }
    }
    if (mib < 0 || adj < -1000 || adj > 1000) {
        fprintf(stderr, "usage: clone_vm --mib N [--adj A] [--cgroup-procs FILE] [--sharer-name NAME] [--ignore-term] [--usr-signals]\n");
        return 2;
    }
    helper_setup("clone_vm", adj, cgroup_procs);
    helper_touch("clone_vm", mib);
    const size_t stack_size = 256 << 10;
    char *stack = mmap(NULL, stack_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (stack == MAP_FAILED) {
        fprintf(stderr, "clone_vm: stack mmap failed: %s\n", strerror(errno));
        return 4;
    }
    int child = clone(sharer_main, stack + stack_size, CLONE_VM | SIGCHLD, NULL);
    if (child < 0) {
        fprintf(stderr, "clone_vm: clone(CLONE_VM) failed: %s\n", strerror(errno));
        return 4;
    }
    /* The child shares this memory: spin until it has named itself, so the ready line means "named". */
    while (!__atomic_load_n(&sharer_named, __ATOMIC_SEQ_CST))
        usleep(1000);
    printf("clone_vm %d sharer %d ready %ld\n", getpid(), child, mib);
    fflush(stdout);
    for (;;)
        pause();
}
