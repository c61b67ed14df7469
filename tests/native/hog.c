/* hog: a memory hog for reapd's tests and benchmarks.
 *
 *   hog --mib N [--rate-mib-s R] [--chunk-mib C] [--page 4k|thp] [--adj A]
 *       [--cgroup-procs FILE] [--ignore-term] [--exit-when-done] [--fill byte|half|random] [--touch-loop]
 *       [--name COMM] [-- ARGS...]
 *
 * Sets its own oom_score_adj (default 1000, so that if every OOM killer under test fails, the kernel takes the
 * hog and nothing else), optionally moves itself into a cgroup by writing its pid to FILE, then maps and touches
 * N MiB of private anonymous memory in chunks of C MiB (default 4), paced at R MiB/s (0 or absent: full speed).
 * Prints "hog <pid> start" before the first chunk, "hog <pid> ready <MiB>" when all N MiB are touched
 * (stdout, flushed), then holds the memory until killed (or exits with --exit-when-done).
 * --fill says what each page holds: byte (default: one byte written per page, which compresses to almost nothing in
 * zram), half (the first half of each page pseudo-random, the rest zero: about 2:1 in zram, like ordinary program
 * data) or random (the whole page: incompressible). --touch-loop: once ready, write one byte of every page again, in
 * order, forever: a working set that thrashes when it does not fit in memory (swap tests).
 * --name sets its comm (prctl PR_SET_NAME, cut to 15 bytes by the kernel) before it joins the cgroup, so a test
 * can play a named program (a browser renderer, a compositor) for reapd's rules; the arguments after "--" are
 * ignored and only shape /proc/PID/cmdline (e.g. "-- --type=renderer").
 * Exit codes: 0 done, 2 bad arguments, 3 setup failed (adj, cgroup), 4 mmap failed.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    int ok = fputs(text, f) >= 0;
    return (fclose(f) == 0 && ok) ? 0 : -1;
}

static void usage(void)
{
    fprintf(stderr, "usage: hog --mib N [--rate-mib-s R] [--chunk-mib C] [--page 4k|thp] [--adj A] "
                    "[--cgroup-procs FILE] [--ignore-term] [--exit-when-done] [--fill byte|half|random] [--touch-loop] "
                    "[--name COMM] [-- ARGS...]\n");
    exit(2);
}

/* xorshift64: cheap pseudo-random words, so that filled pages do not compress. */
static unsigned long long rng_state = 0x9E3779B97F4A7C15ull;

static void fill_page(char *page, size_t bytes)
{
    unsigned long long *w = (unsigned long long *)page;
    for (size_t i = 0; i < bytes / sizeof *w; i++) {
        rng_state ^= rng_state << 13;
        rng_state ^= rng_state >> 7;
        rng_state ^= rng_state << 17;
        w[i] = rng_state;
    }
}

int main(int argc, char **argv)
{
    long mib = -1, chunk_mib = 4, adj = 1000;
    double rate = 0;
    int thp = 0, ignore_term = 0, exit_when_done = 0, touch_loop = 0;
    size_t fill_bytes = 0; /* 0: one byte a page */
    const char *cgroup_procs = NULL;
    const char *name = NULL;

    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--mib") && v) { mib = atol(v); i++; }
        else if (!strcmp(a, "--rate-mib-s") && v) { rate = atof(v); i++; }
        else if (!strcmp(a, "--chunk-mib") && v) { chunk_mib = atol(v); i++; }
        else if (!strcmp(a, "--page") && v) {
            if (!strcmp(v, "thp")) thp = 1;
            else if (strcmp(v, "4k")) usage();
            i++;
        }
        else if (!strcmp(a, "--adj") && v) { adj = atol(v); i++; }
        else if (!strcmp(a, "--cgroup-procs") && v) { cgroup_procs = v; i++; }
        else if (!strcmp(a, "--ignore-term")) ignore_term = 1;
        else if (!strcmp(a, "--exit-when-done")) exit_when_done = 1;
        else if (!strcmp(a, "--touch-loop")) touch_loop = 1;
        else if (!strcmp(a, "--name") && v) { name = v; i++; }
        else if (!strcmp(a, "--")) break;
        else if (!strcmp(a, "--fill") && v) {
            if (!strcmp(v, "half")) fill_bytes = 2048;
            else if (!strcmp(v, "random")) fill_bytes = 4096;
            else if (strcmp(v, "byte")) usage();
            i++;
        }
        else usage();
    }
    if (mib < 0 || chunk_mib <= 0 || rate < 0 || adj < -1000 || adj > 1000)
        usage();

    if (name && prctl(PR_SET_NAME, name, 0, 0, 0) != 0) {
        fprintf(stderr, "hog: cannot set its name %s: %s\n", name, strerror(errno));
        return 3;
    }
    char text[32];
    snprintf(text, sizeof text, "%ld\n", adj);
    if (write_file("/proc/self/oom_score_adj", text) != 0) {
        fprintf(stderr, "hog: cannot set oom_score_adj %ld: %s\n", adj, strerror(errno));
        return 3;
    }
    if (cgroup_procs) {
        snprintf(text, sizeof text, "%d\n", getpid());
        if (write_file(cgroup_procs, text) != 0) {
            fprintf(stderr, "hog: cannot join %s: %s\n", cgroup_procs, strerror(errno));
            return 3;
        }
    }
    if (ignore_term)
        signal(SIGTERM, SIG_IGN);

    printf("hog %d start\n", getpid());
    fflush(stdout);

    const size_t page = 4096;
    double t0 = now_s();
    long done = 0, chunks = 0;
    char **chunk_at = calloc((size_t)(mib / chunk_mib + 2), sizeof *chunk_at);
    size_t *chunk_len = calloc((size_t)(mib / chunk_mib + 2), sizeof *chunk_len);
    if (!chunk_at || !chunk_len)
        return 4;
    while (done < mib) {
        long this_mib = mib - done < chunk_mib ? mib - done : chunk_mib;
        size_t len = (size_t)this_mib << 20;
        char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) {
            fprintf(stderr, "hog: mmap of %ld MiB failed after %ld MiB: %s\n", this_mib, done, strerror(errno));
            return 4;
        }
        madvise(p, len, thp ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
        for (size_t off = 0; off < len; off += page) {
            if (fill_bytes)
                fill_page(p + off, fill_bytes);
            else
                p[off] = 1;
        }
        chunk_at[chunks] = p;
        chunk_len[chunks++] = len;
        done += this_mib;
        if (rate > 0) {
            double due = t0 + done / rate;
            double wait = due - now_s();
            if (wait > 0) {
                struct timespec ts = { (time_t)wait, (long)((wait - (time_t)wait) * 1e9) };
                nanosleep(&ts, NULL);
            }
        }
    }
    printf("hog %d ready %ld\n", getpid(), done);
    fflush(stdout);
    if (exit_when_done)
        return 0;
    while (touch_loop) {
        for (long c = 0; c < chunks; c++)
            for (size_t off = 0; off < chunk_len[c]; off += page)
                chunk_at[c][off]++;
    }
    for (;;)
        pause();
}
