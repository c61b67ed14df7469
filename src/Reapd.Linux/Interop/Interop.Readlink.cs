using System.Runtime.InteropServices;

namespace Reapd.Linux;

internal static partial class Interop
{
    /// <summary>readlink(2): the link's target, not NUL-terminated, cut to the buffer's size. path is NUL-terminated.</summary>
    [LibraryImport(Libc, SetLastError = true)]
    internal static unsafe partial nint readlink(byte* path, byte* buffer, nuint size);
}
