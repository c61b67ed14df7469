using System.Diagnostics;
using Reapd.Core.Selection;

namespace Reapd.Linux.Kill;

/// <summary>
/// What one <see cref="Reaper.Run"/> did: the last process_mrelease outcome, how many calls and sharer rounds it took,
/// the sharers it killed on the way, how the last sharer search ended (null: none was needed), and when it started
/// and returned (Stopwatch timestamps). Everything the daemon's reap event reports.
/// </summary>
public readonly record struct ReapResult(
    ReapOutcome Outcome,
    int Attempts,
    int SharerRounds,
    int SharersKilled,
    SharerSearchOutcome? LastSharerSearch,
    int ExcludedSharerPid,
    ExclusionReason ExcludedSharerReason,
    long StartedTimestamp,
    long ReturnedTimestamp)
{
    public double DurationMs => Stopwatch.GetElapsedTime(StartedTimestamp, ReturnedTimestamp).TotalMilliseconds;
}
