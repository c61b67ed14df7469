/* The setup every memory-holding test helper does first, in one place (included by the helpers in this folder;
 * tests/Reapd.Testing/NativeProgram.cs rebuilds a helper when this header changes too).
 *
 *   helper_setup(name, adj, cgroup_procs): writes adj to /proc/self/oom_score_adj (1000 for a hog: if every killer
 *     under test failed, the kernel takes the hog and nothing else), then, if cgroup_procs is not NULL, moves the
 *     process into that cgroup by writing its pid there. On failure: a message naming the helper, exit code 3.
 *   helper_touch(name, mib): maps and touches MIB MiB of private anonymous memory (4 KiB pages, no THP), returns it.
 *     On failure: a message, exit code 4.
 */
#ifndef HELPER_SETUP_H
#define HELPER_SETUP_H

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static int helper_write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    int ok = fputs(text, f) >= 0;
    return (fclose(f) == 0 && ok) ? 0 : -1;
}

static void helper_setup(const char *name, long adj, const char *cgroup_procs)
{
    char text[32];
    snprintf(text, sizeof text, "%ld\n", adj);
    if (helper_write_file("/proc/self/oom_score_adj", text) != 0) {
        fprintf(stderr, "%s: cannot set oom_score_adj %ld: %s\n", name, adj, strerror(errno));
        exit(3);
    }
    if (cgroup_procs) {
        snprintf(text, sizeof text, "%d\n", getpid());
        if (helper_write_file(cgroup_procs, text) != 0) {
            fprintf(stderr, "%s: cannot join %s: %s\n", name, cgroup_procs, strerror(errno));
            exit(3);
        }
    }
}

static char *helper_touch(const char *name, long mib)
{
    size_t len = (size_t)mib << 20;
    if (!len)
        return NULL;
    char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        fprintf(stderr, "%s: mmap of %ld MiB failed: %s\n", name, mib, strerror(errno));
        exit(4);
    }
    madvise(p, len, MADV_NOHUGEPAGE);
    for (size_t off = 0; off < len; off += 4096)
        p[off] = 1;
    return p;
}

#endif
