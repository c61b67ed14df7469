/* fuse_stuck: a memory hog whose exit is blocked by a FUSE request that is never answered: a thread stuck on a
 * FUSE read (docs/kernel.md D.3), or, with --aio, its last mmput stuck in exit_aio (docs/kernel.md D.4). For reapd's tests and
 * benchmarks.
 *
 *   fuse_stuck --mib N [--adj A] [--cgroup-procs FILE] [--mount DIR] [--file-bytes B] [--aio | --core | --mm-held]
 *
 * --file-bytes B: the size the one file reports (default 1 GiB); a small size lets a reader that checks the size
 * first (reapd's configuration reader refuses files over 1 MiB unread) go on to the read that never returns.
 * The launcher becomes a minimal FUSE server over raw /dev/fuse (no libfuse). It mounts a one-file file system at
 * DIR (default: a new directory /tmp/fuse_stuck.XXXXXX, removed at the end) with mount(2) and the options
 * "fd=N,rootmode=40000,user_id=0,group_id=0" (root only), then forks the VICTIM:
 *   - the victim sets its oom_score_adj (default 1000), moves itself into a cgroup by writing its pid to FILE
 *     (optional), maps and touches N MiB of private anonymous memory, then starts a second thread that opens
 *     DIR/stuck (answered with FOPEN_DIRECT_IO, so reads go straight to the server) and read()s it;
 *   - the server answers INIT, LOOKUP, GETATTR and OPEN, takes that FUSE_READ and never answers it. Because the
 *     request was already read by the server (FR_SENT), request_wait_answer() (fs/fuse/dev.c) ends in an
 *     uninterruptible wait: SIGKILL makes the victim's leader a zombie while the reader stays in D holding the mm.
 *     The pidfd does not become readable and the memory stays charged until process_mrelease reaps it or the
 *     connection is aborted.
 * With --aio the victim has no second thread. It opens DIR/stuck and, with the raw syscalls (no libaio), does
 * io_setup and io_submit of one IOCB_CMD_FSYNC on it; aio_fsync (fs/aio.c) runs vfs_fsync in a kworker, which sends
 * FUSE_FSYNC, and the server never answers it. Then the victim maps and touches its N MiB and tells the server over a
 * pipe. After a fatal signal the victim's last mmput blocks in __mmput -> exit_aio, which waits for that fsync:
 * state D, wchan exit_aio, no Vm* lines in /proc/PID/status (task->mm is NULL), the pidfd not readable,
 * process_mrelease ESRCH (no thread holds the mm), and all N MiB stay charged, since exit_mmap never starts. Only
 * aborting the connection (or ending the server) ends the fsync and lets the exit go on.
 * With --core the victim dumps core into the FUSE directory: it touches its N MiB, raises its RLIMIT_CORE, makes DIR
 * its working directory, tells the server over the pipe and calls abort(). With a core_pattern that names a file
 * relative to the working directory (the default "core"; the test skips when it is a pipe), do_coredump creates the
 * file there: LOOKUP is answered ENOENT and the FUSE_CREATE (or FUSE_MKNOD) is never answered. The dump then waits
 * for ever with the signal's core_state set: /proc/PID/status says "CoreDumping: 1", process_mrelease answers EINVAL
 * (task_will_free_mem refuses a dumping process) even after SIGKILL, which leaves the dumper in the uninterruptible
 * part of the FUSE wait. Aborting the connection fails the create, the dump ends, and the victim exits.
 * With --mm-held the victim's mm is held, not its exit: its /proc files that take the mmap lock block (docs/kernel.md
 * E.1). The victim touches its N MiB and maps DIR/stuck privately (page cache, no FOPEN_DIRECT_IO in this mode). It
 * forks a PEEKER child that reads that page through /proc/VICTIM/mem: access_remote_vm takes the victim's mmap lock
 * for reading and faults the page in through get_user_pages without a retry, so the peeker waits on a FUSE_READ that
 * is never answered while it holds the lock (cmdline and environ cannot be used for this: they read with FOLL_ANON,
 * which refuses file mappings). When that FUSE_READ arrives the server tells the victim, whose second thread then calls
 * mmap(2) and so queues as a writer on the lock; from then on every new reader of the victim's mmap lock waits too
 * (an rw-semaphore lets no new reader past a waiting writer). Ready line: mode mm-held, plus "peeker <pid>".
 * When the victim is stuck-ready (read mode: the FUSE_READ has arrived, the memory is touched by then; aio mode: the
 * FUSE_FSYNC has arrived and the victim has touched its memory) it prints, on stdout, flushed:
 *   "fuse_stuck <victim pid> ready <MiB> server <server pid> mount <DIR> conn <N> mode <read|aio|core>"
 * (core mode: the memory is touched and the FUSE_CREATE or FUSE_MKNOD of the core file has arrived)
 * where N is the FUSE connection (/sys/fs/fuse/connections/N when fusectl is mounted).
 * On SIGTERM, SIGINT or SIGHUP the server aborts the connection (writes N/abort if fusectl is mounted, and closes
 * /dev/fuse, which aborts it in any case), unmounts DIR (MNT_DETACH), removes DIR if it created it, SIGKILLs and
 * reaps the victim, and exits 0. If the server dies without that, its /dev/fuse closes and the kernel aborts the
 * connection, so the victim can exit (it has PR_SET_PDEATHSIG SIGKILL); the mount is then left for the caller to
 * detach (umount -l DIR).
 * When the connection is aborted from outside (echo 1 > /sys/fs/fuse/connections/N/abort), the server cleans up the
 * same way and exits 0.
 * Exit codes: 0 ended by a signal or an abort as above, 2 bad arguments, 3 setup failed (mount, /dev/fuse, fork),
 * 5 the victim died before it was stuck.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/aio_abi.h>
#include <linux/fuse.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#define FILE_INO 2
#define FILE_NAME "stuck"

static int fuse_fd = -1;
static char mount_dir[256];
static int made_dir;
static unsigned conn_id;
static pid_t victim = -1;
static volatile sig_atomic_t stop;
static int aio_mode;
static int core_mode;
static int filled_fd = -1; /* aio and core modes, victim side: written once its memory is touched */
static int mm_held_mode;
static int go_fd = -1; /* mm-held mode, victim side: readable once the peeker's FUSE_READ has arrived */
static pid_t peeker = -1;

static int write_file(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = write(fd, text, strlen(text));
    close(fd);
    return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* Async-signal-safe: only syscalls. Used from the signal handler and at normal ends. */
static void cleanup_and_exit(int code)
{
    char path[96];
    char num[16];
    int len = 0;
    unsigned v = conn_id;
    do { num[len++] = '0' + v % 10; v /= 10; } while (v);
    const char *prefix = "/sys/fs/fuse/connections/";
    size_t p = 0;
    for (const char *s = prefix; *s; s++) path[p++] = *s;
    while (len) path[p++] = num[--len];
    for (const char *s = "/abort"; *s; s++) path[p++] = *s;
    path[p] = 0;
    int abort_fd = open(path, O_WRONLY | O_CLOEXEC);
    if (abort_fd >= 0) {
        ssize_t w = write(abort_fd, "1", 1);
        (void)w;
        close(abort_fd);
    }
    if (fuse_fd >= 0)
        close(fuse_fd);
    umount2(mount_dir, MNT_DETACH);
    if (made_dir)
        rmdir(mount_dir);
    if (peeker > 0)
        kill(peeker, SIGKILL); /* the victim's child: it ends once the aborted connection fails its read */
    if (victim > 0) {
        kill(victim, SIGKILL);
        while (waitpid(victim, NULL, 0) < 0 && errno == EINTR)
            ;
    }
    _exit(code);
}

static void on_signal(int sig)
{
    (void)sig;
    stop = 1;
    cleanup_and_exit(0);
}

static void reply(uint64_t unique, int error, const void *payload, size_t size)
{
    struct fuse_out_header out = { .len = sizeof out + (error ? 0 : size), .error = error, .unique = unique };
    struct iovec iov[2] = { { &out, sizeof out }, { (void *)payload, error ? 0 : size } };
    ssize_t w = writev(fuse_fd, iov, error || !size ? 1 : 2);
    (void)w;
}

static uint64_t file_bytes = 1ULL << 30;

static void fill_attr(struct fuse_attr *attr, uint64_t ino)
{
    memset(attr, 0, sizeof *attr);
    attr->ino = ino;
    if (ino == FUSE_ROOT_ID) {
        attr->mode = S_IFDIR | 0755;
        attr->nlink = 2;
    } else {
        attr->mode = S_IFREG | 0444;
        attr->nlink = 1;
        attr->size = file_bytes;
        attr->blocks = (file_bytes + 511) / 512;
    }
    attr->blksize = 4096;
}

/* The victim opens DIR/stuck (LOOKUP and OPEN, answered by the server); it cannot go on without it. */
static int open_stuck_file(void)
{
    char path[300];
    snprintf(path, sizeof path, "%s/%s", mount_dir, FILE_NAME);
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        fprintf(stderr, "fuse_stuck: victim cannot open %s: %s\n", path, strerror(errno));
        _exit(5);
    }
    return fd;
}

static void *reader_thread(void *arg)
{
    (void)arg;
    int fd = open_stuck_file();
    static char buffer[4096];
    ssize_t r = read(fd, buffer, sizeof buffer); /* never returns while the server holds the request */
    (void)r;
    return NULL;
}

static void touch_memory(long mib)
{
    size_t len = (size_t)mib << 20;
    if (!len)
        return;
    char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        fprintf(stderr, "fuse_stuck: mmap of %ld MiB failed: %s\n", mib, strerror(errno));
        _exit(4);
    }
    madvise(p, len, MADV_NOHUGEPAGE);
    for (size_t off = 0; off < len; off += 4096)
        p[off] = 1;
}

/* io_setup + io_submit(IOCB_CMD_FSYNC) on the FUSE file, raw syscalls. The aio context belongs to the mm: __mmput
 * calls exit_aio before exit_mmap, and exit_aio waits for this request, whose FUSE_FSYNC is never answered. */
static void submit_stuck_fsync(void)
{
    int fd = open_stuck_file();
    aio_context_t ctx = 0;
    if (syscall(SYS_io_setup, 1, &ctx) != 0) {
        fprintf(stderr, "fuse_stuck: io_setup: %s\n", strerror(errno));
        _exit(5);
    }
    static struct iocb cb; /* static: the kernel keeps only its own copy, but keep it valid for the victim's life */
    memset(&cb, 0, sizeof cb);
    cb.aio_fildes = fd;
    cb.aio_lio_opcode = IOCB_CMD_FSYNC;
    struct iocb *list[1] = { &cb };
    if (syscall(SYS_io_submit, ctx, 1, list) != 1) {
        fprintf(stderr, "fuse_stuck: io_submit(IOCB_CMD_FSYNC): %s\n", strerror(errno));
        _exit(5);
    }
}

/* mm-held mode: the second thread waits for the server's word that the peeker holds the mmap lock, then queues
 * behind it as a writer (mmap takes the lock for writing) and stays there until the connection is aborted. */
static void *writer_thread(void *arg)
{
    (void)arg;
    char byte;
    if (read(go_fd, &byte, 1) != 1)
        return NULL;
    void *p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    (void)p;
    return NULL;
}

static void hold_mm(void)
{
    int fd = open_stuck_file();
    char *area = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
    if (area == MAP_FAILED) {
        fprintf(stderr, "fuse_stuck: mmap of the FUSE file: %s\n", strerror(errno));
        _exit(5);
    }
    pthread_t thread;
    if (pthread_create(&thread, NULL, writer_thread, NULL) != 0)
        _exit(4);
    pid_t self = getpid();
    pid_t child = fork();
    if (child < 0)
        _exit(4);
    if (child == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        /* The peeker tells the server who it is: the victim itself may already be unable to (after the fork its
         * next copy-on-write fault waits for the mmap lock behind the writer). */
        pid_t me = getpid();
        if (write(filled_fd, &me, sizeof me) != sizeof me)
            _exit(4);
        char path[64];
        snprintf(path, sizeof path, "/proc/%d/mem", self);
        int mem = open(path, O_RDONLY);
        static char buffer[4096];
        /* access_remote_vm: the victim's mmap lock for reading, then a fault without retry: waits on the FUSE_READ
         * with the lock held. */
        ssize_t r = mem < 0 ? -1 : pread(mem, buffer, sizeof buffer, (off_t)(uintptr_t)area);
        (void)r;
        _exit(0);
    }
    for (;;)
        pause();
}

static void victim_main(long mib, long adj, const char *cgroup_procs)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    char text[32];
    snprintf(text, sizeof text, "%ld\n", adj);
    if (write_file("/proc/self/oom_score_adj", text) != 0) {
        fprintf(stderr, "fuse_stuck: cannot set oom_score_adj %ld: %s\n", adj, strerror(errno));
        _exit(3);
    }
    if (cgroup_procs) {
        snprintf(text, sizeof text, "%d\n", getpid());
        if (write_file(cgroup_procs, text) != 0) {
            fprintf(stderr, "fuse_stuck: cannot join %s: %s\n", cgroup_procs, strerror(errno));
            _exit(3);
        }
    }
    if (core_mode) {
        touch_memory(mib);
        struct rlimit core = { RLIM_INFINITY, RLIM_INFINITY };
        if (setrlimit(RLIMIT_CORE, &core) != 0 || chdir(mount_dir) != 0)
            _exit(5);
        if (write(filled_fd, "1", 1) != 1)
            _exit(4);
        abort();
    }
    if (mm_held_mode) {
        touch_memory(mib);
        hold_mm();
    }
    if (aio_mode) {
        submit_stuck_fsync();
        touch_memory(mib);
        /* Tell the server the memory is in place; it prints the ready line once the FUSE_FSYNC is there too. */
        if (write(filled_fd, "1", 1) != 1)
            _exit(4);
        for (;;)
            pause();
    }
    touch_memory(mib);
    pthread_t thread;
    if (pthread_create(&thread, NULL, reader_thread, NULL) != 0)
        _exit(4);
    for (;;)
        pause();
}

static int ready;

static void print_ready(long mib)
{
    if (ready)
        return;
    ready = 1;
    printf("fuse_stuck %d ready %ld server %d mount %s conn %u mode %s", victim, mib, getpid(), mount_dir, conn_id,
           mm_held_mode ? "mm-held" : core_mode ? "core" : aio_mode ? "aio" : "read");
    if (mm_held_mode)
        printf(" peeker %d", peeker);
    printf("\n");
    fflush(stdout);
}

static void usage(void)
{
    fprintf(stderr, "usage: fuse_stuck --mib N [--adj A] [--cgroup-procs FILE] [--mount DIR] [--file-bytes B] [--aio | --core | --mm-held]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    long mib = -1, adj = 1000;
    const char *cgroup_procs = NULL, *dir = NULL;
    for (int i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(argv[i], "--mib") && v) { mib = atol(v); i++; }
        else if (!strcmp(argv[i], "--adj") && v) { adj = atol(v); i++; }
        else if (!strcmp(argv[i], "--cgroup-procs") && v) { cgroup_procs = v; i++; }
        else if (!strcmp(argv[i], "--mount") && v) { dir = v; i++; }
        else if (!strcmp(argv[i], "--file-bytes") && v) { file_bytes = strtoull(v, NULL, 10); i++; }
        else if (!strcmp(argv[i], "--aio")) aio_mode = 1;
        else if (!strcmp(argv[i], "--core")) core_mode = 1;
        else if (!strcmp(argv[i], "--mm-held")) mm_held_mode = 1;
        else usage();
    }
    if (mib < 0 || adj < -1000 || adj > 1000 || (aio_mode + core_mode + mm_held_mode > 1))
        usage();

    if (dir) {
        if (strlen(dir) >= sizeof mount_dir)
            usage();
        strcpy(mount_dir, dir);
    } else {
        strcpy(mount_dir, "/tmp/fuse_stuck.XXXXXX");
        if (!mkdtemp(mount_dir)) {
            fprintf(stderr, "fuse_stuck: mkdtemp: %s\n", strerror(errno));
            return 3;
        }
        made_dir = 1;
    }
    struct sigaction sa = { .sa_handler = on_signal };
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);

    fuse_fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
    if (fuse_fd < 0) {
        fprintf(stderr, "fuse_stuck: cannot open /dev/fuse: %s\n", strerror(errno));
        cleanup_and_exit(3);
    }
    char options[128];
    snprintf(options, sizeof options, "fd=%d,rootmode=40000,user_id=0,group_id=0", fuse_fd);
    if (mount("fuse_stuck", mount_dir, "fuse", MS_NOSUID | MS_NODEV, options) != 0) {
        fprintf(stderr, "fuse_stuck: mount of %s failed: %s\n", mount_dir, strerror(errno));
        cleanup_and_exit(3);
    }
    /* The connection number is the mount's device minor. Not from stat(mount_dir): that would send a FUSE_GETATTR
     * that nobody serves yet. /proc/self/mountinfo field 3 is "major:minor". */
    FILE *mounts = fopen("/proc/self/mountinfo", "r");
    char line[1024], point[512];
    unsigned major_id, minor_id;
    while (mounts && fgets(line, sizeof line, mounts)) {
        if (sscanf(line, "%*d %*d %u:%u %*s %511s", &major_id, &minor_id, point) == 3 && !strcmp(point, mount_dir))
            conn_id = minor_id;
    }
    if (mounts)
        fclose(mounts);

    int filled[2] = { -1, -1 }, go[2] = { -1, -1 };
    if ((aio_mode || core_mode || mm_held_mode) && pipe2(filled, O_CLOEXEC) != 0) {
        fprintf(stderr, "fuse_stuck: pipe: %s\n", strerror(errno));
        cleanup_and_exit(3);
    }
    if (mm_held_mode && pipe2(go, O_CLOEXEC) != 0) {
        fprintf(stderr, "fuse_stuck: pipe: %s\n", strerror(errno));
        cleanup_and_exit(3);
    }
    victim = fork();
    if (victim < 0) {
        fprintf(stderr, "fuse_stuck: fork: %s\n", strerror(errno));
        cleanup_and_exit(3);
    }
    if (victim == 0) {
        close(fuse_fd); /* only the server holds the connection: its end aborts it */
        if (aio_mode || core_mode || mm_held_mode) {
            close(filled[0]);
            filled_fd = filled[1];
        }
        if (mm_held_mode) {
            close(go[1]);
            go_fd = go[0];
        }
        victim_main(mib, adj, cgroup_procs);
    }
    if (aio_mode || core_mode || mm_held_mode)
        close(filled[1]);
    if (mm_held_mode)
        close(go[0]);
    int filled_rd = filled[0]; /* -1 in read mode: poll ignores it */
    int fsync_seen = 0, memory_filled = 0; /* core mode: fsync_seen means the core file's create arrived */

    size_t size = FUSE_MIN_READ_BUFFER + (1 << 20);
    char *buffer = malloc(size);
    while (!stop) {
        struct pollfd pfd[2] = { { .fd = fuse_fd, .events = POLLIN }, { .fd = filled_rd, .events = POLLIN } };
        int n = poll(pfd, 2, 200);
        if (n > 0 && pfd[1].revents && mm_held_mode) {
            /* The peeker's word: its pid (EOF: the victim died first). */
            if (read(filled_rd, &peeker, sizeof peeker) != sizeof peeker)
                peeker = -1;
            close(filled_rd);
            filled_rd = -1;
            if (!pfd[0].revents)
                continue;
        } else if (n > 0 && pfd[1].revents) {
            /* One byte: the victim's memory is touched. EOF: it died first (the WNOHANG check below sees it). */
            char byte;
            memory_filled = read(filled_rd, &byte, 1) == 1;
            close(filled_rd);
            filled_rd = -1;
            if (memory_filled && fsync_seen)
                print_ready(mib);
            if (!pfd[0].revents)
                continue;
        }
        if (n == 0 || (n < 0 && errno == EINTR)) {
            if (!ready && waitpid(victim, NULL, WNOHANG) == victim) {
                victim = -1;
                fprintf(stderr, "fuse_stuck: the victim died before it was stuck\n");
                cleanup_and_exit(5);
            }
            continue;
        }
        ssize_t got = read(fuse_fd, buffer, size);
        if (got < 0) {
            if (errno == EINTR || errno == EAGAIN || errno == ENOENT)
                continue;
            if (errno == ENODEV) /* the connection was aborted from outside (fusectl): the victim can go now */
                cleanup_and_exit(0);
            fprintf(stderr, "fuse_stuck: read /dev/fuse: %s\n", strerror(errno));
            cleanup_and_exit(3);
        }
        struct fuse_in_header *in = (struct fuse_in_header *)buffer;
        void *arg = buffer + sizeof *in;
        switch (in->opcode) {
        case FUSE_INIT: {
            struct fuse_init_in *init = arg;
            struct fuse_init_out out = { 0 };
            out.major = FUSE_KERNEL_VERSION;
            out.minor = FUSE_KERNEL_MINOR_VERSION;
            out.max_readahead = init->max_readahead;
            out.max_write = 128 << 10;
            out.max_background = 16;
            out.congestion_threshold = 12;
            out.time_gran = 1;
            reply(in->unique, 0, &out, sizeof out);
            break;
        }
        case FUSE_LOOKUP: {
            if (in->nodeid != FUSE_ROOT_ID || strcmp((char *)arg, FILE_NAME) != 0) {
                reply(in->unique, -ENOENT, NULL, 0);
                break;
            }
            struct fuse_entry_out out = { 0 };
            out.nodeid = FILE_INO;
            out.generation = 1;
            out.entry_valid = 3600;
            out.attr_valid = 3600;
            fill_attr(&out.attr, FILE_INO);
            reply(in->unique, 0, &out, sizeof out);
            break;
        }
        case FUSE_GETATTR: {
            struct fuse_attr_out out = { 0 };
            out.attr_valid = 3600;
            fill_attr(&out.attr, in->nodeid);
            reply(in->unique, 0, &out, sizeof out);
            break;
        }
        case FUSE_OPEN: {
            struct fuse_open_out out = { 0 };
            out.fh = 1;
            /* mm-held mode maps the file: page cache, so no direct I/O there. */
            out.open_flags = mm_held_mode ? 0 : FOPEN_DIRECT_IO;
            reply(in->unique, 0, &out, sizeof out);
            break;
        }
        case FUSE_READ:
            /* The request the victim's thread now waits on, uninterruptibly: never answered. */
            if (mm_held_mode) {
                /* The peeker holds the victim's mmap lock while it waits on this: now the writer may queue. Give
                 * its mmap a moment to reach the lock before saying ready (the test checks the states anyway). */
                if (go[1] >= 0) {
                    ssize_t w = write(go[1], "1", 1);
                    (void)w;
                    close(go[1]);
                    go[1] = -1;
                    usleep(200 * 1000);
                }
                /* The peeker sends its pid before its read: wait for it (a second at most). */
                for (int tries = 0; filled_rd >= 0 && tries < 10; tries++) {
                    struct pollfd word = { .fd = filled_rd, .events = POLLIN };
                    if (poll(&word, 1, 100) > 0) {
                        if (read(filled_rd, &peeker, sizeof peeker) != sizeof peeker)
                            peeker = -1;
                        close(filled_rd);
                        filled_rd = -1;
                    }
                }
                print_ready(mib);
                break;
            }
            if (!aio_mode)
                print_ready(mib);
            break;
        case FUSE_FSYNC:
            /* aio mode: the kworker's vfs_fsync for the victim's IOCB_CMD_FSYNC now waits on this: never answered. */
            fsync_seen = 1;
            if (memory_filled)
                print_ready(mib);
            break;
        case FUSE_CREATE:
        case FUSE_MKNOD:
            if (!core_mode) {
                reply(in->unique, -ENOSYS, NULL, 0);
                break;
            }
            /* core mode: do_coredump now waits on the creation of its core file: never answered. */
            fsync_seen = 1;
            if (memory_filled)
                print_ready(mib);
            break;
        case FUSE_INTERRUPT: /* sent after SIGKILL; ignoring it keeps the reader waiting */
        case FUSE_FORGET:
        case FUSE_BATCH_FORGET:
            break;
        case FUSE_FLUSH:
        case FUSE_RELEASE:
            reply(in->unique, 0, NULL, 0);
            break;
        default:
            reply(in->unique, -ENOSYS, NULL, 0);
            break;
        }
    }
    cleanup_and_exit(0);
}
