using System.Runtime.InteropServices;

namespace Reapd.Linux;

internal static partial class Interop
{
    /// <summary>userfaultfd(2): 323 on x86_64, 282 in the generic table (aarch64).</summary>
    internal static long SYS_userfaultfd => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 323,
        Architecture.Arm64 => 282,
        _ => -1,
    };

    /// <summary>Only faults taken in user mode are reported (5.11): needs no privilege whatever vm.unprivileged_userfaultfd says.</summary>
    internal const int UFFD_USER_MODE_ONLY = 1;

    internal const ulong UFFD_API = 0xAA;

    /// <summary>Write-protect faults are resolved by the kernel itself, never reported (6.7), and WP mode may then be registered on any memory, a file mapping included.</summary>
    internal const ulong UFFD_FEATURE_WP_ASYNC = 1UL << 15;

    internal const ulong UFFDIO_REGISTER_MODE_WP = 2;

    // _IOWR(0xAA, 0x3F, struct uffdio_api) and _IOWR(0xAA, 0x00, struct uffdio_register) (include/uapi/linux/userfaultfd.h);
    // both structures are 24 and 32 bytes on every 64-bit architecture.
    internal const ulong UFFDIO_API_REQUEST = 0xC018AA3F;
    internal const ulong UFFDIO_REGISTER_REQUEST = 0xC020AA00;

    [StructLayout(LayoutKind.Sequential)]
    internal struct UffdioApi
    {
        public ulong Api;
        public ulong Features;
        public ulong Ioctls;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct UffdioRegister
    {
        public ulong Start;
        public ulong Length;
        public ulong Mode;
        public ulong Ioctls;
    }

    /// <summary>userfaultfd(2) through syscall(2) (glibc wraps it only since 2.36); -1 with errno (ENOSYS on an unknown architecture).</summary>
    internal static int userfaultfd(int flags)
    {
        long number = SYS_userfaultfd;
        if (number < 0)
        {
            Marshal.SetLastPInvokeError((int)Errno.ENOSYS);
            return -1;
        }
        return (int)syscall2(number, flags, 0);
    }

    [LibraryImport(Libc, EntryPoint = "ioctl", SetLastError = true)]
    internal static unsafe partial int ioctl_uffdio_api(int fd, ulong request, UffdioApi* api);

    [LibraryImport(Libc, EntryPoint = "ioctl", SetLastError = true)]
    internal static unsafe partial int ioctl_uffdio_register(int fd, ulong request, UffdioRegister* register);
}
