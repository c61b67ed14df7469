using System.Diagnostics;

namespace Reapd.Linux.Kill;

/// <summary>A finished job as the loop reads it: the job itself (with any detail it keeps), its outcome, and when the reaper thread ran it (Stopwatch timestamps).</summary>
public readonly record struct ReapCompletion(IReapJob Job, ReapOutcome Outcome, long StartedTimestamp, long FinishedTimestamp)
{
    public double DurationMs => (FinishedTimestamp - StartedTimestamp) * 1000.0 / Stopwatch.Frequency;
}
