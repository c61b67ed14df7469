/* vfork_exec: a memory hog whose vfork child shares its mm until the test tells the child to exec, for the kill
 * protocol's test that a sharer which exec'd between the sharer search and the SIGKILL is left alone.
 *
 *   vfork_exec --mib N --cue FIFO [--adj A] [--cgroup-procs FILE]
 *
 * Sets its own oom_score_adj (default 1000), optionally moves itself into a cgroup by writing its pid to FILE, maps
 * and touches N MiB of private anonymous memory, then vfork()s. The parent is suspended inside vfork until the child
 * execs; the child uses the parent's very mm, so kcmp(KCMP_VM) says they share it. The child prints
 *   "vfork_exec <parent pid> sharer <child pid> ready <MiB>"
 * (one write(2), stdout), then blocks opening FIFO for reading. When the test opens FIFO for writing and writes a
 * byte, the child execs this same program with "--after-exec": from then on it has an mm of its own and is another
 * program. That program clears the parent-death signal (set before the exec, so the child never outlives a parent
 * that dies while it waits) and prints "vfork_exec <pid> execed", then waits for signals. The test ends it.
 * Exit codes: 2 bad arguments, 3 setup failed (adj, cgroup), 4 mmap or vfork failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "helper_setup.h"

static void usage(void)
{
    fprintf(stderr, "usage: vfork_exec --mib N --cue FIFO [--adj A] [--cgroup-procs FILE]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    if (argc == 2 && !strcmp(argv[1], "--after-exec")) {
        prctl(PR_SET_PDEATHSIG, 0);
        printf("vfork_exec %d execed\n", getpid());
        fflush(stdout);
        for (;;)
            pause();
    }
    long mib = -1, adj = 1000;
    const char *cgroup_procs = NULL, *cue = NULL;
    for (int i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(argv[i], "--mib") && v) { mib = atol(v); i++; }
        else if (!strcmp(argv[i], "--adj") && v) { adj = atol(v); i++; }
        else if (!strcmp(argv[i], "--cue") && v) { cue = v; i++; }
        else if (!strcmp(argv[i], "--cgroup-procs") && v) { cgroup_procs = v; i++; }
        else usage();
    }
    if (mib < 0 || !cue || adj < -1000 || adj > 1000)
        usage();
    helper_setup("vfork_exec", adj, cgroup_procs);
    helper_touch("vfork_exec", mib);
    fflush(stdout);
    /* Everything the child needs is prepared here, so that it only makes syscalls on the shared stack. */
    char line[96];
    int parent = getpid();
    char self[4096];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) {
        fprintf(stderr, "vfork_exec: readlink /proc/self/exe: %s\n", strerror(errno));
        return 4;
    }
    self[n] = 0;
    char *const args[] = { self, "--after-exec", NULL };
    pid_t child = vfork();
    if (child == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        int length = snprintf(line, sizeof line, "vfork_exec %d sharer %d ready %ld\n", parent, getpid(), mib);
        if (write(1, line, length) != length)
            _exit(4);
        int fd = open(cue, O_RDONLY);
        char c;
        if (fd < 0 || read(fd, &c, 1) < 0)
            _exit(4);
        execv(self, args);
        _exit(4);
    }
    if (child < 0) {
        fprintf(stderr, "vfork_exec: vfork failed: %s\n", strerror(errno));
        return 4;
    }
    for (;;)
        pause();
}
