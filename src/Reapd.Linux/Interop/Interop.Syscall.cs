using System.Runtime.InteropServices;

namespace Reapd.Linux;

internal static partial class Interop
{
    // The pidfd family and process_mrelease share their numbers on every architecture (the unified syscall table
    // since 5.1: arch/x86/entry/syscalls/syscall_64.tbl and include/uapi/asm-generic/unistd.h); kcmp does not.
    internal const long SYS_pidfd_send_signal = 424;
    internal const long SYS_pidfd_open = 434;
    internal const long SYS_process_mrelease = 448;

    /// <summary>kcmp: 312 on x86_64, 272 in the generic table (aarch64).</summary>
    internal static long SYS_kcmp => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 312,
        Architecture.Arm64 => 272,
        _ => -1,
    };

    // Called through syscall(2) rather than the glibc wrappers: glibc before 2.36 lacks them, and a kernel without
    // the syscall then answers ENOSYS, which reapd reports as a value (process_mrelease needs 5.15, docs/kernel.md C.3).
    // glibc's syscall() is an assembly stub that moves its integer arguments into registers, so the fixed-arity
    // declarations below are safe for this variadic function on x86_64 and aarch64.
    [LibraryImport(Libc, EntryPoint = "syscall", SetLastError = true)]
    private static partial long syscall2(long number, long arg1, long arg2);

    [LibraryImport(Libc, EntryPoint = "syscall", SetLastError = true)]
    private static partial long syscall4(long number, long arg1, long arg2, long arg3, long arg4);

    [LibraryImport(Libc, EntryPoint = "syscall", SetLastError = true)]
    private static partial long syscall5(long number, long arg1, long arg2, long arg3, long arg4, long arg5);
}
