using System.Runtime.InteropServices;

namespace Reapd.Linux;

internal static partial class Interop
{
    internal const int EFD_NONBLOCK = 0x800;
    internal const int EFD_CLOEXEC = 0x80000;

    /// <summary>eventfd(2): a counter fd the kernel signals (cgroup v1 memory.pressure_level and memory.oom_control notifications, docs/kernel.md C.6).</summary>
    [LibraryImport(Libc, SetLastError = true)]
    internal static partial int eventfd(uint initialValue, int flags);

    /// <summary>glibc's eventfd_read(3): reads and resets the 8-byte counter; EAGAIN on a non-blocking eventfd at zero.</summary>
    [LibraryImport(Libc, SetLastError = true)]
    internal static unsafe partial int eventfd_read(int fd, ulong* value);

    /// <summary>glibc's eventfd_write(3): adds to the counter, waking a poll on the fd (used to wake reapd's own loop).</summary>
    [LibraryImport(Libc, SetLastError = true)]
    internal static partial int eventfd_write(int fd, ulong value);
}
