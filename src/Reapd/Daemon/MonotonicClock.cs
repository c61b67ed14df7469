using System.Diagnostics;

namespace Reapd.Daemon;

/// <summary>CLOCK_MONOTONIC in milliseconds (Stopwatch is CLOCK_MONOTONIC on Linux; Environment.TickCount64 is the coarse clock, 4 ms steps).</summary>
internal static class MonotonicClock
{
    private static readonly long s_ticksPerMs = Stopwatch.Frequency / 1000;

    public static long NowMs => Stopwatch.GetTimestamp() / s_ticksPerMs;

    public static double ElapsedMs(long startTimestamp) => (Stopwatch.GetTimestamp() - startTimestamp) * 1000.0 / Stopwatch.Frequency;
}
