using System.Runtime.InteropServices;

namespace Reapd.Linux;

internal static partial class Interop
{
    /// <summary>getxattr(2): the value of an extended attribute (cgroupfs keeps user.* ones since Linux 5.7). path and name are NUL-terminated.</summary>
    [LibraryImport(Libc, SetLastError = true)]
    internal static unsafe partial nint getxattr(byte* path, byte* name, byte* value, nuint size);
}
