namespace Reapd.Core.Daemon;

/// <summary>
/// When the loop pings the service manager's watchdog (WATCHDOG=1), and how long it may sleep before it must. The
/// ping goes out after a completed cycle once a quarter of the timeout has passed since the last one, so a loop that
/// already wakes often pings from its ordinary wake-ups and never wakes for the watchdog alone; the loop's wait is
/// capped at half the timeout after the last ping (sd_watchdog_enabled(3) advises pinging at half), which leaves the
/// other half for a cycle that runs long. A loop that hangs stops pinging, and systemd restarts it.
/// </summary>
public sealed class WatchdogSchedule
{
    private long _lastPingMs;

    /// <param name="timeoutUsec">$WATCHDOG_USEC; must be positive.</param>
    /// <param name="startMs">Monotonic time the schedule starts from (the process start is close enough: systemd's clock started at exec).</param>
    public WatchdogSchedule(long timeoutUsec, long startMs)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(timeoutUsec);
        PingEveryMs = Math.Max(1, timeoutUsec / 4000);
        WakeWithinMs = Math.Max(1, timeoutUsec / 2000);
        _lastPingMs = startMs;
    }

    /// <summary>A ping is due after a completed cycle once this long has passed since the last one.</summary>
    public long PingEveryMs { get; }

    /// <summary>The loop wakes at the latest this long after the last ping.</summary>
    public long WakeWithinMs { get; }

    public long LastPingMs => _lastPingMs;

    public bool IsDue(long nowMs) => nowMs - _lastPingMs >= PingEveryMs;

    public void Pinged(long nowMs) => _lastPingMs = nowMs;

    /// <summary>The loop's wait: <paramref name="wantedMs"/>, cut to the ping deadline (never below 0).</summary>
    public int CapWaitMs(int wantedMs, long nowMs)
    {
        long left = _lastPingMs + WakeWithinMs - nowMs;
        return left < wantedMs ? (int)Math.Max(0, left) : wantedMs;
    }
}
