using System.Runtime.InteropServices;

namespace Reapd.Linux.Systemd;

/// <summary>
/// sd_notify(3) without libsystemd: one datagram of "KEY=VALUE\n..." lines to the service manager's socket. The
/// socket is opened once at start (before reapd locks its memory); every send is a single sendto with MSG_DONTWAIT
/// from a caller's buffer, so it never allocates and never waits: when the manager's queue is full or the socket is
/// gone, the message is lost, counted and the caller goes on (the next status or ping replaces it). The kernel adds
/// the sender's credentials itself (systemd turns on SO_PASSCRED on its end), which is how systemd tells the main
/// process (NotifyAccess=main) from anyone else; the process id there is the thread group's, so any thread may send.
/// </summary>
public sealed class SystemdNotifier : IDisposable
{
    /// <summary>The names sd_notify's callers read; cleared after reading so that no process reapd starts inherits them.</summary>
    public const string NotifySocketVariable = "NOTIFY_SOCKET";
    public const string WatchdogUsecVariable = "WATCHDOG_USEC";
    public const string WatchdogPidVariable = "WATCHDOG_PID";

    private readonly NotifySocketHandle _socket;
    private readonly byte[] _sockaddr;
    private readonly int _sockaddrLength;

    private SystemdNotifier(NotifySocketHandle socket, NotifySocketAddress address, long watchdogUsec)
    {
        _socket = socket;
        Address = address;
        _sockaddr = address.Sockaddr;
        _sockaddrLength = address.Length;
        WatchdogUsec = watchdogUsec;
    }

    public NotifySocketAddress Address { get; }

    /// <summary>The watchdog timeout systemd expects a WATCHDOG=1 within, in µs; 0 = no watchdog.</summary>
    public long WatchdogUsec { get; }

    /// <summary>Messages sent whole.</summary>
    public long Sent { get; private set; }

    /// <summary>Messages the kernel refused (the manager's queue full, its socket gone): lost, not retried.</summary>
    public long Failed { get; private set; }

    /// <summary>errno of the last refused message (0 if none).</summary>
    public int LastErrno { get; private set; }

    /// <summary>
    /// Reads $NOTIFY_SOCKET, $WATCHDOG_USEC and $WATCHDOG_PID and clears them. Null when reapd was not started by a
    /// service manager (nothing is ever sent then), or when the socket cannot be used (with a one-line problem).
    /// A notifier may come with a problem too (a watchdog value that does not parse: no pings).
    /// </summary>
    public static SystemdNotifier? FromEnvironment(out string? problem)
    {
        string? socket = Environment.GetEnvironmentVariable(NotifySocketVariable);
        string? usec = Environment.GetEnvironmentVariable(WatchdogUsecVariable);
        string? pid = Environment.GetEnvironmentVariable(WatchdogPidVariable);
        Environment.SetEnvironmentVariable(NotifySocketVariable, null);
        Environment.SetEnvironmentVariable(WatchdogUsecVariable, null);
        Environment.SetEnvironmentVariable(WatchdogPidVariable, null);
        return Open(socket, usec, pid, Environment.ProcessId, out problem);
    }

    /// <summary>A notifier for the given values (what <see cref="FromEnvironment"/> read); see there.</summary>
    public static SystemdNotifier? Open(string? notifySocket, string? watchdogUsec, string? watchdogPid, int ownPid, out string? problem)
    {
        NotifySocketAddress? address = NotifySocketAddress.TryParse(notifySocket, out problem);
        if (address is null)
        {
            return null;
        }
        NotifySocketHandle? socket = NotifySocketHandle.Create(out int errno);
        if (socket is null)
        {
            problem = $"cannot create a unix datagram socket for NOTIFY_SOCKET={address.Text} (errno {errno})";
            return null;
        }
        long usec = WatchdogSetting.TimeoutUsec(watchdogUsec, watchdogPid, ownPid, out problem);
        return new SystemdNotifier(socket, address, usec);
    }

    /// <summary>
    /// Sends one message (ASCII "KEY=VALUE" lines). False when the kernel refused it (counted, <see cref="LastErrno"/>);
    /// never blocks, never throws for a socket problem, allocates nothing.
    /// </summary>
    public unsafe bool Send(ReadOnlySpan<byte> message)
    {
        bool added = false;
        try
        {
            _socket.DangerousAddRef(ref added);
            int fd = (int)_socket.DangerousGetHandle();
            nint sent;
            fixed (byte* buffer = message)
            fixed (byte* address = _sockaddr)
            {
                int attempts = 0;
                do
                {
                    sent = Interop.sendto(fd, buffer, (nuint)message.Length, Interop.MSG_DONTWAIT | Interop.MSG_NOSIGNAL, address, (uint)_sockaddrLength);
                }
                while (sent < 0 && Interop.LastErrno == Interop.Errno.EINTR && ++attempts < 3);
            }
            if (sent < 0)
            {
                LastErrno = Marshal.GetLastPInvokeError();
                Failed++;
                return false;
            }
            Sent++;
            return true;
        }
        finally
        {
            if (added)
            {
                _socket.DangerousRelease();
            }
        }
    }

    public void Dispose() => _socket.Dispose();
}
