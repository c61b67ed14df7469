using System.Runtime.InteropServices;

namespace Reapd.Linux;

internal static partial class Interop
{
    internal const int O_RDONLY = 0x0000;
    internal const int O_CLOEXEC = 0x80000;

    /// <summary>open(2) without O_CREAT (so the variadic mode argument is never read). path is NUL-terminated.</summary>
    [LibraryImport(Libc, EntryPoint = "open", SetLastError = true)]
    internal static unsafe partial int open(byte* path, int flags);

    [LibraryImport(Libc, SetLastError = true)]
    internal static unsafe partial nint read(int fd, byte* buffer, nuint count);

    [LibraryImport(Libc, SetLastError = true)]
    internal static unsafe partial nint pread(int fd, byte* buffer, nuint count, long offset);

    [LibraryImport(Libc, SetLastError = true)]
    internal static partial int close(int fd);
}
