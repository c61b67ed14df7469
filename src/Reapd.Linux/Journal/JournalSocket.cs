using System.Runtime.InteropServices;
using System.Text;

namespace Reapd.Linux.Journal;

/// <summary>
/// Owns one AF_UNIX datagram socket connected to journald's native socket (/run/systemd/journal/socket): each
/// <see cref="Send"/> is one journal entry in the native protocol (systemd's "Native Journal Protocol": FIELD=value
/// lines, or FIELD, newline, a little-endian 64-bit length and the raw value for a value that holds a newline).
/// Sends never wait (MSG_DONTWAIT): a full queue is an outcome, and <see cref="WaitWritable"/> is the one place that
/// waits, on the thread that chose to. The socket is connected, not addressed per datagram, so that POLLOUT tells when
/// journald's queue has room again. Closed once, by Dispose or the finalizer. Allocation-free after
/// <see cref="TryConnect"/>.
/// </summary>
public sealed class JournalSocket : SafeHandle
{
    /// <summary>Where systemd-journald.socket listens for native entries (systemd-journald.service(8)).</summary>
    public const string DefaultPath = "/run/systemd/journal/socket";

    private readonly byte[] _path;

    private JournalSocket(int fd, byte[] path)
        : base(invalidHandleValue: -1, ownsHandle: true)
    {
        SetHandle(fd);
        _path = path;
    }

    public override bool IsInvalid => handle == -1;

    public int Fd => IsClosed ? -1 : (int)handle;

    /// <summary>
    /// A socket connected to <paramref name="path"/>, or null with the errno: ENOENT (no journald listening there),
    /// ECONNREFUSED (a socket file nobody listens on), EACCES, EMFILE, or ENAMETOOLONG for a path longer than 107 bytes.
    /// </summary>
    public static JournalSocket? TryConnect(string path, out int errno)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(path);
        if (bytes.Length >= Interop.UNIX_PATH_MAX || bytes.AsSpan().Contains((byte)0))
        {
            // An embedded NUL would name another socket.
            errno = (int)Interop.Errno.ENAMETOOLONG;
            return null;
        }
        int fd = Interop.socket(Interop.AF_UNIX, Interop.SOCK_DGRAM | Interop.SOCK_CLOEXEC, 0);
        if (fd < 0)
        {
            errno = (int)Interop.LastErrno;
            return null;
        }
        if (!Connect(fd, bytes, out errno))
        {
            _ = Interop.close(fd);
            return null;
        }
        return new JournalSocket(fd, bytes);
    }

    /// <summary>
    /// Connects the socket again to the same path, after <see cref="JournalSendOutcome.PeerGone"/>: a restarted
    /// journald listens on a new socket at the old path. False with the errno when nobody listens there.
    /// </summary>
    public bool Reconnect(out int errno) => Connect(Fd, _path, out errno);

    /// <summary>One entry as one datagram, without waiting; <paramref name="errno"/> is 0 when sent.</summary>
    public unsafe JournalSendOutcome Send(ReadOnlySpan<byte> entry, out int errno)
    {
        nint sent;
        fixed (byte* bytes = entry)
        {
            sent = Interop.send(Fd, bytes, (nuint)entry.Length, Interop.MSG_DONTWAIT | Interop.MSG_NOSIGNAL);
        }
        if (sent >= 0)
        {
            errno = 0;
            return JournalSendOutcome.Sent;
        }
        Interop.Errno error = Interop.LastErrno;
        errno = (int)error;
        return error switch
        {
            Interop.Errno.EAGAIN => JournalSendOutcome.WouldBlock,
            Interop.Errno.EINTR => JournalSendOutcome.Interrupted,
            Interop.Errno.ECONNREFUSED or Interop.Errno.ENOTCONN => JournalSendOutcome.PeerGone,
            Interop.Errno.EMSGSIZE or Interop.Errno.ENOBUFS => JournalSendOutcome.TooLarge,
            _ => JournalSendOutcome.Failed,
        };
    }

    /// <summary>
    /// Waits until the peer's receive queue has room (POLLOUT), an error is pending, or <paramref name="timeoutMs"/>
    /// passes (-1: no limit). True when a send is worth trying again.
    /// </summary>
    public unsafe bool WaitWritable(int timeoutMs)
    {
        Interop.PollFd fd = new() { Fd = Fd, Events = Interop.POLLOUT };
        int ready = Interop.poll(&fd, 1, timeoutMs);
        return ready > 0;
    }

    protected override bool ReleaseHandle() => Interop.close((int)handle) == 0;

    private static unsafe bool Connect(int fd, byte[] path, out int errno)
    {
        Interop.SockaddrUn address = default;
        address.Family = Interop.AF_UNIX;
        path.CopyTo(new Span<byte>(address.Path, Interop.UNIX_PATH_MAX));
        // The family, the path and its NUL.
        uint length = (uint)(sizeof(ushort) + path.Length + 1);
        if (Interop.connect(fd, &address, length) == 0)
        {
            errno = 0;
            return true;
        }
        errno = (int)Interop.LastErrno;
        return false;
    }
}
