using System.Diagnostics;

namespace Reapd.Linux.Kill;

/// <summary>What one run of the kill protocol did, step by step, with Stopwatch timestamps (0 = did not happen).</summary>
public sealed class KillReport
{
    public int Pid { get; init; }

    public ulong SampledStartTimeTicks { get; init; }

    public VictimOpenOutcome Identity { get; internal set; }

    public SharerSearchOutcome? SharerSearch { get; internal set; }

    /// <summary>Set when a sharer of the victim's mm may never be killed (SharerSearch = SharerExcluded): nothing was signalled.</summary>
    public (int Pid, Core.Selection.ExclusionReason Reason)? ExcludedSharer { get; internal set; }

    /// <summary>Pids of the processes that shared the victim's mm, and the SIGKILL outcome of each.</summary>
    public IReadOnlyList<(int Pid, SignalOutcome? Kill)> Sharers { get; internal set; } = [];

    public SignalOutcome? Term { get; internal set; }

    /// <summary>The victim exited within the grace period after SIGTERM.</summary>
    public bool ExitedDuringGrace { get; internal set; }

    public SignalOutcome? Kill { get; internal set; }

    public ReapOutcome Reap { get; internal set; } = ReapOutcome.NotAttempted;

    /// <summary>process_mrelease calls in total (retries on EAGAIN/EINTR and after killing late-found sharers).</summary>
    public int ReapAttempts { get; internal set; }

    /// <summary>The whole reap (<see cref="Reaper.Run"/>), when one ran.</summary>
    public ReapResult? ReapResult { get; internal set; }

    /// <summary>True once the pidfd was readable (the thread group exited) within the wait.</summary>
    public bool Exited { get; internal set; }

    public long StartedTimestamp { get; init; }
    public long TermSentTimestamp { get; internal set; }
    public long KillSentTimestamp { get; internal set; }
    public long ReapReturnedTimestamp { get; internal set; }
    public long ExitObservedTimestamp { get; internal set; }

    /// <summary>From SIGKILL to the return of the (last) process_mrelease, in ms; null if either did not happen.</summary>
    public double? ReapReturnedAfterKillMs => Between(KillSentTimestamp, ReapReturnedTimestamp);

    /// <summary>From SIGKILL (or SIGTERM when it exited in the grace) to the pidfd becoming readable, in ms.</summary>
    public double? ExitAfterSignalMs => Between(KillSentTimestamp != 0 ? KillSentTimestamp : TermSentTimestamp, ExitObservedTimestamp);

    /// <summary>The victim was confirmed and the last signal sent reached it.</summary>
    public bool Signalled => Identity == VictimOpenOutcome.Confirmed && (Kill == SignalOutcome.Sent || ExitedDuringGrace);

    private static double? Between(long from, long to) =>
        from == 0 || to == 0 ? null : Stopwatch.GetElapsedTime(from, to).TotalMilliseconds;
}
