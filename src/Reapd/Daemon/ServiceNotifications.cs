using Reapd.Core.Daemon;
using Reapd.Linux.Systemd;

namespace Reapd.Daemon;

/// <summary>
/// The loop's side of Type=notify: READY=1 once, when Start has armed the sensors and wake-ups; STATUS= when it
/// changed meaningfully (<see cref="ServiceStatus.IsWorthSending"/>), not every cycle; WATCHDOG=1 from the loop thread
/// after a completed cycle (<see cref="WatchdogSchedule"/>), so a loop that hangs stops pinging; STOPPING=1 at a clean
/// stop. Only the loop thread calls it. Every message is built in a buffer allocated here, once; a refused send is
/// counted by the notifier and reported once per errno as a warning, and changes nothing else.
/// </summary>
internal sealed class ServiceNotifications : IDisposable
{
    private readonly SystemdNotifier _notifier;
    private DaemonConfig _config;
    private readonly DaemonEvents _events;
    private readonly WatchdogSchedule? _watchdog;
    private readonly byte[] _message = new byte[ServiceStatus.MaxBytes + 16];
    private ServiceStatus _sentStatus;
    private long _sentStatusMs;
    private bool _ready;
    private int _reportedErrno;

    public ServiceNotifications(SystemdNotifier notifier, DaemonConfig config, DaemonEvents events, long startMs)
    {
        _notifier = notifier;
        _config = config;
        _events = events;
        _watchdog = notifier.WatchdogUsec > 0 ? new WatchdogSchedule(notifier.WatchdogUsec, startMs) : null;
    }

    public SystemdNotifier Notifier => _notifier;

    /// <summary>How often the loop pings, for the start event ("off" without a watchdog).</summary>
    public string Describe() => _watchdog is null
        ? $"{_notifier.Address.Text}, no watchdog"
        : $"{_notifier.Address.Text}, watchdog {_notifier.WatchdogUsec / 1000} ms (ping after a cycle every {_watchdog.PingEveryMs} ms or more, wake within {_watchdog.WakeWithinMs} ms)";

    /// <summary>The loop's wait, cut to the watchdog's deadline.</summary>
    public int CapWaitMs(int wantedMs, long nowMs) => _watchdog is null ? wantedMs : _watchdog.CapWaitMs(wantedMs, nowMs);

    /// <summary>After a completed cycle (warm-up cycles included): the watchdog ping when due, then the status when worth it.</summary>
    public void AfterCycle(long nowMs, bool haveSample, in MemorySample sample, VictimPhase phase, int victimPid)
    {
        if (_watchdog is not null && _watchdog.IsDue(nowMs))
        {
            Send("WATCHDOG=1"u8);
            // Refused or not, the next one is due a quarter of the timeout later: retrying every cycle would not help a
            // manager that does not read its socket.
            _watchdog.Pinged(nowMs);
        }
        if (!_ready || !haveSample)
        {
            return;
        }
        ServiceStatus status = ServiceStatus.From(sample, _config, phase, victimPid);
        if (ServiceStatus.IsWorthSending(_sentStatus, status, nowMs - _sentStatusMs))
        {
            SendStatus(""u8, status, nowMs);
        }
    }

    /// <summary>READY=1 with the first status, once. Without a sample yet the status says so.</summary>
    public void Ready(long nowMs, bool haveSample, in MemorySample sample, VictimPhase phase, int victimPid)
    {
        if (_ready)
        {
            return;
        }
        _ready = true;
        // READY=1 does not reset systemd's watchdog clock: the same datagram pings it too.
        ReadOnlySpan<byte> prefix = _watchdog is null ? "READY=1\n"u8 : "READY=1\nWATCHDOG=1\n"u8;
        if (haveSample)
        {
            SendStatus(prefix, ServiceStatus.From(sample, _config, phase, victimPid), nowMs);
        }
        else
        {
            prefix.CopyTo(_message);
            "STATUS=started; no memory reading yet"u8.CopyTo(_message.AsSpan(prefix.Length));
            Send(_message.AsSpan(0, prefix.Length + "STATUS=started; no memory reading yet"u8.Length));
        }
        _watchdog?.Pinged(nowMs);
    }

    public void Stopping() => Send("STOPPING=1\nSTATUS=stopping"u8);

    /// <summary>
    /// A reload begins (SIGHUP): RELOADING=1 with the CLOCK_MONOTONIC time in microseconds, which systemd (253 and
    /// later) requires to tell this reload from an older one; <see cref="Reloaded"/> ends it with READY=1.
    /// </summary>
    public void Reloading(long monotonicUsec)
    {
        int length = System.Text.Encoding.ASCII.GetBytes($"RELOADING=1\nSTATUS=reloading the configuration\nMONOTONIC_USEC={monotonicUsec}", _message);
        Send(_message.AsSpan(0, length));
    }

    /// <summary>The reload is over (applied or refused): READY=1 again, with the status under the settings now in force.</summary>
    public void Reloaded(DaemonConfig config, long nowMs, bool haveSample, in MemorySample sample, VictimPhase phase, int victimPid)
    {
        _config = config;
        if (!_ready)
        {
            return;
        }
        _ready = false;
        Ready(nowMs, haveSample, sample, phase, victimPid);
    }

    private void SendStatus(ReadOnlySpan<byte> prefix, in ServiceStatus status, long nowMs)
    {
        prefix.CopyTo(_message);
        int length = prefix.Length + status.Format(_message.AsSpan(prefix.Length), _config.TermPercent, _config.KillPercent);
        Send(_message.AsSpan(0, length));
        _sentStatus = status;
        _sentStatusMs = nowMs;
    }

    private void Send(ReadOnlySpan<byte> message)
    {
        if (!_notifier.Send(message) && _notifier.LastErrno != _reportedErrno)
        {
            // Rare, so the string is fine here; the same errno again is only counted (the stop event has the total).
            _reportedErrno = _notifier.LastErrno;
            _events.Warning("notify"u8, $"the service manager's socket {_notifier.Address.Text} refused a message (errno {_reportedErrno}); it is lost, reapd goes on");
        }
    }

    public void Dispose() => _notifier.Dispose();
}
