using System.Runtime.InteropServices;

namespace Reapd.Linux;

internal static partial class Interop
{
    internal const byte DT_DIR = 4;

    /// <summary>
    /// Offsets in glibc's struct dirent (= dirent64 on 64-bit Linux, x86_64 and aarch64 alike):
    /// d_ino u64, d_off s64, d_reclen u16, d_type u8, then d_name NUL-terminated.
    /// </summary>
    internal const int DirentTypeOffset = 18;
    internal const int DirentNameOffset = 19;

    [LibraryImport(Libc, SetLastError = true)]
    internal static unsafe partial nint opendir(byte* path);

    /// <summary>readdir(3): null at the end (errno unchanged) or on error (errno set).</summary>
    [LibraryImport(Libc, SetLastError = true)]
    internal static partial nint readdir(nint dir);

    [LibraryImport(Libc, SetLastError = true)]
    internal static partial int closedir(nint dir);
}
