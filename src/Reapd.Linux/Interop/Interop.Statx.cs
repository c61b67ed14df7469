using System.Runtime.InteropServices;

namespace Reapd.Linux;

internal static partial class Interop
{
    internal const int AT_FDCWD = -100;
    internal const int AT_SYMLINK_NOFOLLOW = 0x100;
    internal const uint STATX_TYPE = 0x1;
    internal const uint STATX_MODE = 0x2;
    internal const uint STATX_UID = 0x8;
    internal const uint STATX_GID = 0x10;
    internal const int S_IFMT = 0xF000;
    internal const int S_IFSOCK = 0xC000;
    internal const int S_IFDIR = 0x4000;

    /// <summary>struct statx is 256 bytes with the same layout on every architecture (unlike struct stat).</summary>
    internal const int StatxBytes = 256;

    // Offsets in struct statx (include/uapi/linux/stat.h).
    internal const int StatxUidOffset = 20;
    internal const int StatxGidOffset = 24;
    internal const int StatxModeOffset = 28;

    /// <summary>statx(2) through glibc (2.28 and later). path is NUL-terminated.</summary>
    [LibraryImport(Libc, SetLastError = true)]
    internal static unsafe partial int statx(int dirFd, byte* path, int flags, uint mask, void* buffer);
}
