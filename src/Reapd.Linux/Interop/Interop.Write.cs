using System.Runtime.InteropServices;

namespace Reapd.Linux;

internal static partial class Interop
{
    internal const int O_RDWR = 0x0002;
    internal const int O_WRONLY = 0x0001;
    internal const int O_NONBLOCK = 0x800;

    /// <summary>write(2): arming a PSI trigger and registering cgroup v1 event notifications are both plain writes whose errno matters.</summary>
    [LibraryImport(Libc, SetLastError = true)]
    internal static unsafe partial nint write(int fd, byte* buffer, nuint count);
}
