/* ballast: a resizable block of memory the benchmark runner keeps across runs, so that each run's hog only has to
 * ramp through the last few GiB above the kill line instead of filling the whole machine (fresh allocation in a VM
 * can be slow: the host may have reclaimed the pages).
 *
 *   ballast [--adj A]        (default -1000)
 *
 * It sets its own oom_score_adj (default -1000: no OOM killer, the kernel's or a daemon's, may pick it; a kill of
 * it counts as a wrong kill in the results). Lowering the adj below 0 needs CAP_SYS_RESOURCE (mm/oom_score_adj
 * write in fs/proc/base.c); without it the ballast stays at 0, says so on stderr, and goes on: it is then the
 * biggest adj-0 process, so a killer that goes past the hogs takes it before anything the runner did not start.
 * It ignores SIGTERM (a daemon that goes past the hogs sends that first; the runner's safety valve then has time to
 * give memory back) and asks for SIGKILL when its parent dies (PR_SET_PDEATHSIG), so a crashed runner never leaves
 * it behind.
 * Commands, one per line on stdin:
 *   set N      grow or shrink to N MiB (grown in 64 MiB chunks, each touched page by page; shrunk with munmap)
 * After each command it prints "ballast <pid> <MiB>" (stdout, flushed). End of stdin: it exits, freeing all.
 * Exit codes: 0 stdin closed, 2 bad arguments or command, 3 setup failed, 4 mmap failed.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#define CHUNK_MIB 64L
#define MAX_CHUNKS 4096

static char *chunks[MAX_CHUNKS];
static long nchunks;

static int grow_one(void)
{
    size_t len = (size_t)CHUNK_MIB << 20;
    char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return -1;
    /* Huge pages: far fewer faults, so the ballast fills at the host's speed, not the fault path's. */
    madvise(p, len, MADV_HUGEPAGE);
    for (size_t off = 0; off < len; off += 4096)
        p[off] = 1;
    chunks[nchunks++] = p;
    return 0;
}

int main(int argc, char **argv)
{
    long adj = -1000;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--adj") && i + 1 < argc)
            adj = atol(argv[++i]);
        else {
            fprintf(stderr, "usage: ballast [--adj A]\n");
            return 2;
        }
    }
    signal(SIGTERM, SIG_IGN);
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() == 1) {
        fprintf(stderr, "ballast: no parent to follow\n");
        return 3;
    }
    FILE *f = fopen("/proc/self/oom_score_adj", "w");
    if (!f) {
        fprintf(stderr, "ballast: cannot open oom_score_adj: %s\n", strerror(errno));
        return 3;
    }
    setvbuf(f, NULL, _IONBF, 0);
    if (fprintf(f, "%ld\n", adj) < 0) {
        fprintf(stderr, "ballast: oom_score_adj %ld refused (%s); staying at 0\n", adj, strerror(errno));
        if (fprintf(f, "0\n") < 0) {
            fprintf(stderr, "ballast: cannot set oom_score_adj 0: %s\n", strerror(errno));
            return 3;
        }
    }
    fclose(f);
    char line[128];
    while (fgets(line, sizeof line, stdin)) {
        long mib;
        if (sscanf(line, "set %ld", &mib) != 1 || mib < 0 || mib / CHUNK_MIB > MAX_CHUNKS) {
            fprintf(stderr, "ballast: bad command: %s", line);
            return 2;
        }
        long want = mib / CHUNK_MIB;
        while (nchunks > want)
            munmap(chunks[--nchunks], (size_t)CHUNK_MIB << 20);
        while (nchunks < want) {
            if (grow_one() != 0) {
                fprintf(stderr, "ballast: mmap failed at %ld MiB: %s\n", nchunks * CHUNK_MIB, strerror(errno));
                return 4;
            }
        }
        printf("ballast %d %ld\n", getpid(), nchunks * CHUNK_MIB);
        fflush(stdout);
    }
    return 0;
}
