using System.Diagnostics;

namespace Reapd.Bench;

/// <summary>
/// CLOCK_MONOTONIC in seconds: what Stopwatch reads on Linux, and what tracefs stamps events with once its
/// trace_clock is "mono", so samples and kernel events share one time axis.
/// </summary>
internal static class Clock
{
    public static double NowS => Stopwatch.GetTimestamp() / (double)Stopwatch.Frequency;
}
