namespace Reapd.Core.Daemon;

/// <summary>
/// How long the loop may sleep before the next sample. Sized so that an allocator at the configured worst-case rate
/// (<see cref="DaemonConfig.AssumedAllocationBytesPerSecond"/>) can at most use half the headroom left above the next
/// threshold before reapd looks again: the interval shrinks geometrically as memory approaches the term and then
/// the kill level, down to <see cref="DaemonConfig.MinIntervalMs"/>, so a crossing is seen within about that long.
/// With plenty of memory it is <see cref="DaemonConfig.MaxIntervalMs"/>: one cheap sample a second, plus wake-ups
/// from PSI triggers, cgroup eventfds and victims' pidfds.
/// </summary>
public static class AdaptiveInterval
{
    public static int NextMs(in MemorySample sample, DaemonConfig config, long termLevelBytes, long killLevelBytes, VictimPhase phase)
    {
        if (phase == VictimPhase.Killed)
        {
            return config.InFlightIntervalMs;
        }
        long thresholdBytes = sample.AvailableBytes > termLevelBytes && phase == VictimPhase.None ? termLevelBytes : killLevelBytes;
        long headroomBytes = sample.AvailableBytes - thresholdBytes;
        if (headroomBytes <= 0)
        {
            // At or below the last threshold (a victim in flight, nobody eligible, or a dry run): watch closely.
            return config.InFlightIntervalMs;
        }
        // Half the time the fastest allocator needs to eat the headroom.
        double ms = headroomBytes * 1000.0 / config.AssumedAllocationBytesPerSecond / 2;
        return (int)Math.Clamp(ms, config.MinIntervalMs, config.MaxIntervalMs);
    }
}
