using System.Runtime.InteropServices;

namespace Reapd.Linux.Systemd;

/// <summary>
/// Owns the unbound AF_UNIX datagram socket reapd sends its notifications from (non-blocking, close-on-exec, so a
/// process reapd starts never inherits it). Closed once, by Dispose or the finalizer.
/// </summary>
public sealed class NotifySocketHandle : SafeHandle
{
    private NotifySocketHandle(int fd)
        : base(invalidHandleValue: -1, ownsHandle: true)
    {
        SetHandle(fd);
    }

    public override bool IsInvalid => handle == -1;

    /// <summary>A new socket, or null with the errno (EMFILE, ENFILE, ENOMEM, or EAFNOSUPPORT under a filter).</summary>
    internal static NotifySocketHandle? Create(out int errno)
    {
        int fd = Interop.socket(Interop.AF_UNIX, Interop.SOCK_DGRAM | Interop.SOCK_NONBLOCK | Interop.SOCK_CLOEXEC, 0);
        errno = fd < 0 ? (int)Interop.LastErrno : 0;
        return fd < 0 ? null : new NotifySocketHandle(fd);
    }

    protected override bool ReleaseHandle() => Interop.close((int)handle) == 0;
}
