namespace Reapd.Linux;

/// <summary>
/// Source-generated P/Invoke into libc, one file per syscall family (Interop.Pidfd.cs, Interop.Poll.cs, ...).
/// Every import sets SetLastError so errno is read right after the call, and every expected failure is mapped to an
/// outcome value by the caller at this boundary: nothing here throws for a kernel race.
/// </summary>
internal static partial class Interop
{
    internal const string Libc = "libc";

    /// <summary>errno values reapd acts on (x86_64 and aarch64 share these numbers).</summary>
    internal enum Errno
    {
        EPERM = 1,
        ENOENT = 2,
        ESRCH = 3,
        EINTR = 4,
        EIO = 5,
        EBADF = 9,
        ECHILD = 10,
        EAGAIN = 11,
        ENOMEM = 12,
        EACCES = 13,
        EBUSY = 16,
        ENODEV = 19,
        EINVAL = 22,
        ENFILE = 23,
        EMFILE = 24,
        ENOSPC = 28,
        ENAMETOOLONG = 36,
        ENOSYS = 38,
        EMSGSIZE = 90,
        EOPNOTSUPP = 95,
        ENOBUFS = 105,
        ENOTCONN = 107,
        ECONNREFUSED = 111,
    }

    /// <summary>errno of the last P/Invoke on this thread, as the enum.</summary>
    internal static Errno LastErrno => (Errno)System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
}
