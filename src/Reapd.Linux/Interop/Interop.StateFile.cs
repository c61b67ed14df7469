using System.Runtime.InteropServices;

namespace Reapd.Linux;

internal static partial class Interop
{
    internal const int O_CREAT = 0x40;
    internal const int O_TRUNC = 0x200;
    internal const int O_NOFOLLOW = 0x20000;

    /// <summary>open(2) with O_CREAT and its mode (open is variadic; on Linux's x86-64 and arm64 ABIs an int passed as a fixed argument lands where va_arg reads it).</summary>
    [LibraryImport(Libc, EntryPoint = "open", SetLastError = true)]
    internal static unsafe partial int open_create(byte* path, int flags, uint mode);

    /// <summary>rename(2): atomic within one file system — a reader sees the old file or the new one, never a half-written one.</summary>
    [LibraryImport(Libc, SetLastError = true)]
    internal static unsafe partial int rename(byte* oldPath, byte* newPath);

    [LibraryImport(Libc, SetLastError = true)]
    internal static unsafe partial int unlink(byte* path);
}
