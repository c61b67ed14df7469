using System.Runtime.InteropServices;

namespace Reapd.Linux.Sensors;

/// <summary>
/// Owns one non-blocking eventfd. The kernel signals it for cgroup v1 memory notifications; reapd's own signal
/// handler signals it to wake the loop out of poll. Closed once, by Dispose or the finalizer.
/// </summary>
public sealed class EventFdHandle : SafeHandle
{
    private EventFdHandle(int fd)
        : base(invalidHandleValue: -1, ownsHandle: true)
    {
        SetHandle(fd);
    }

    public override bool IsInvalid => handle == -1;

    public int Fd => IsClosed ? -1 : (int)handle;

    /// <summary>A new eventfd, or null with the errno (EMFILE, ENOMEM...).</summary>
    public static EventFdHandle? Create(out int errno)
    {
        int fd = Interop.eventfd(0, Interop.EFD_NONBLOCK | Interop.EFD_CLOEXEC);
        errno = fd < 0 ? (int)Interop.LastErrno : 0;
        return fd < 0 ? null : new EventFdHandle(fd);
    }

    /// <summary>Reads and resets the counter: how many notifications arrived since the last drain (0 if none).</summary>
    public unsafe ulong Drain()
    {
        ulong value = 0;
        return Interop.eventfd_read(Fd, &value) == 0 ? value : 0;
    }

    /// <summary>Adds one to the counter; async-signal-safe, allocation-free: used from the stop handler to wake the loop.</summary>
    public void Signal() => _ = Interop.eventfd_write(Fd, 1);

    protected override bool ReleaseHandle() => Interop.close((int)handle) == 0;
}
