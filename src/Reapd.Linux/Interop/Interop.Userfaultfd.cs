using System.Runtime.InteropServices;

namespace Reapd.Linux;

internal static partial class Interop
{
    /// <summary>userfaultfd: 323 on x86_64, 282 in the generic table (aarch64).</summary>
    internal static long SYS_userfaultfd => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 323,
        Architecture.Arm64 => 282,
        _ => -1,
    };

    /// <summary>
    /// Handle only faults taken in user mode (5.11): needs no privilege even where vm.unprivileged_userfaultfd is 0.
    /// reapd registers only to change how read faults map pages (<see cref="Sensors.SelfProtection"/>), never to
    /// handle a fault, so which faults would be reported does not matter.
    /// </summary>
    internal const int UFFD_USER_MODE_ONLY = 1;

    /// <summary>Write-protect faults are resolved by the kernel itself, with no handler thread (6.7); with it, any memory type may be registered for write-protection, file mappings included (vma_can_userfault, include/linux/userfaultfd_k.h in 6.7–6.12).</summary>
    internal const ulong UFFD_FEATURE_WP_ASYNC = 1UL << 15;

    internal const ulong UFFDIO_REGISTER_MODE_WP = 1UL << 1;

    internal const ulong UFFD_API = 0xAA;

    /// <summary>_IOWR(0xAA, 0x3F, struct uffdio_api): 24 bytes.</summary>
    internal const ulong UFFDIO_API = 0xC018AA3F;

    /// <summary>_IOWR(0xAA, 0x00, struct uffdio_register): 32 bytes.</summary>
    internal const ulong UFFDIO_REGISTER = 0xC020AA00;

    [StructLayout(LayoutKind.Sequential)]
    internal struct uffdio_api
    {
        public ulong api;
        public ulong features;
        public ulong ioctls;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct uffdio_register
    {
        public ulong start;
        public ulong len;
        public ulong mode;
        public ulong ioctls;
    }

    internal static int userfaultfd(int flags) => (int)syscall2(SYS_userfaultfd, flags, 0);

    // ioctl(2) is variadic; its third argument is one pointer, passed in a register like a fixed one on x86_64 and
    // aarch64 (the same reasoning as syscall2 in Interop.Syscall.cs).
    [LibraryImport(Libc, EntryPoint = "ioctl", SetLastError = true)]
    private static unsafe partial int ioctl_ptr(int fd, ulong request, void* argument);

    internal static unsafe int ioctl(int fd, ulong request, ref uffdio_api argument)
    {
        fixed (uffdio_api* pointer = &argument)
        {
            return ioctl_ptr(fd, request, pointer);
        }
    }

    internal static unsafe int ioctl(int fd, ulong request, ref uffdio_register argument)
    {
        fixed (uffdio_register* pointer = &argument)
        {
            return ioctl_ptr(fd, request, pointer);
        }
    }
}
