namespace Reapd.Core.Daemon;

/// <summary>
/// How long a condition has held at every sample: the stall trackers' shared bookkeeping. The first sample that shows it
/// starts the count at 0; any sample that does not ends it (-1) so the next one must be earned anew.
/// </summary>
internal static class HeldDuration
{
    /// <summary>Updates <paramref name="sinceMs"/> (-1 while the condition does not hold) and returns the held time, or -1.</summary>
    public static long Next(ref long sinceMs, long timeMs, bool holds)
    {
        if (!holds)
        {
            sinceMs = -1;
            return -1;
        }
        if (sinceMs < 0)
        {
            sinceMs = timeMs;
        }
        return timeMs - sinceMs;
    }
}
