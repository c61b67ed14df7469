using System.Runtime.InteropServices;

namespace Reapd.Linux;

internal static partial class Interop
{
    // <spawn.h> flags (glibc posix/spawn.h).
    internal const short POSIX_SPAWN_SETPGROUP = 0x02;
    internal const short POSIX_SPAWN_SETSIGDEF = 0x04;
    internal const short POSIX_SPAWN_SETSIGMASK = 0x08;

    // glibc's opaque types, with room to spare: posix_spawnattr_t is 336 bytes and posix_spawn_file_actions_t 80 on
    // x86_64 and aarch64, sigset_t 128.
    internal const int PosixSpawnAttrBytes = 512;
    internal const int PosixSpawnFileActionsBytes = 128;
    internal const int SigSetBytes = 128;

    internal const int P_PID = 1;
    internal const int P_PIDFD = 3;
    internal const int WEXITED = 4;
    internal const int WNOHANG = 1;
    internal const int CLD_EXITED = 1;
    internal const int CLD_KILLED = 2;
    internal const int CLD_DUMPED = 3;
    internal const int SiginfoBytes = 128;

    /// <summary>
    /// posix_spawn(3). glibc (2.24 and later) creates the child with clone(CLONE_VM | CLONE_VFORK): the child runs on
    /// the parent's address space until it execs, so no page table of reapd's (mlockall'd) memory is copied. Returns 0
    /// or the error number (not errno).
    /// </summary>
    [LibraryImport(Libc)]
    internal static unsafe partial int posix_spawn(int* pid, byte* path, void* fileActions, void* attr, byte** argv, byte** envp);

    [LibraryImport(Libc)]
    internal static unsafe partial int posix_spawnattr_init(void* attr);

    [LibraryImport(Libc)]
    internal static unsafe partial int posix_spawnattr_destroy(void* attr);

    [LibraryImport(Libc)]
    internal static unsafe partial int posix_spawnattr_setflags(void* attr, short flags);

    [LibraryImport(Libc)]
    internal static unsafe partial int posix_spawnattr_setpgroup(void* attr, int pgroup);

    [LibraryImport(Libc)]
    internal static unsafe partial int posix_spawnattr_setsigmask(void* attr, void* sigmask);

    [LibraryImport(Libc)]
    internal static unsafe partial int posix_spawnattr_setsigdefault(void* attr, void* sigdefault);

    [LibraryImport(Libc)]
    internal static unsafe partial int posix_spawn_file_actions_init(void* fileActions);

    [LibraryImport(Libc)]
    internal static unsafe partial int posix_spawn_file_actions_destroy(void* fileActions);

    [LibraryImport(Libc)]
    internal static unsafe partial int posix_spawn_file_actions_addopen(void* fileActions, int fd, byte* path, int flags, uint mode);

    [LibraryImport(Libc)]
    internal static unsafe partial int posix_spawn_file_actions_adddup2(void* fileActions, int fd, int newFd);

    [LibraryImport(Libc)]
    internal static unsafe partial int sigemptyset(void* set);

    [LibraryImport(Libc)]
    internal static unsafe partial int sigfillset(void* set);

    /// <summary>waitid(2); with P_PIDFD (5.4) the child is named by its pidfd, so the wait cannot reach a reused pid.</summary>
    [LibraryImport(Libc, SetLastError = true)]
    internal static unsafe partial int waitid(int idType, int id, void* info, int options);

    /// <summary>kill(2): used for a process group (a negative pid), which no pidfd names.</summary>
    [LibraryImport(Libc, SetLastError = true)]
    internal static partial int kill(int pid, int signal);

    /// <summary>execve(2): replaces the process image; returns only on failure.</summary>
    [LibraryImport(Libc, SetLastError = true)]
    internal static unsafe partial int execve(byte* path, byte** argv, byte** envp);

    // The glibc wrappers, not the raw syscalls: in a process with several threads glibc applies the change to every
    // thread (nptl's setxid broadcast), which is what a process that drops to a user for good needs.
    [LibraryImport(Libc, SetLastError = true)]
    internal static unsafe partial int setgroups(nuint size, uint* list);

    [LibraryImport(Libc, SetLastError = true)]
    internal static partial int setresgid(uint rgid, uint egid, uint sgid);

    [LibraryImport(Libc, SetLastError = true)]
    internal static partial int setresuid(uint ruid, uint euid, uint suid);

    [LibraryImport(Libc)]
    internal static partial uint geteuid();

    [LibraryImport(Libc)]
    internal static partial uint getegid();

    /// <summary>getgroups(2); with size 0 it returns how many supplementary groups the process has.</summary>
    [LibraryImport(Libc, SetLastError = true)]
    internal static unsafe partial int getgroups(int size, uint* list);

    [LibraryImport(Libc, SetLastError = true)]
    internal static unsafe partial int getresuid(uint* ruid, uint* euid, uint* suid);

    [LibraryImport(Libc, SetLastError = true)]
    internal static unsafe partial int getresgid(uint* rgid, uint* egid, uint* sgid);
}
