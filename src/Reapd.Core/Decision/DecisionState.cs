using Reapd.Core.Daemon;

namespace Reapd.Core.Decision;

/// <summary>
/// Everything the decision core remembers, as one value: the victim in flight (if any), where its kill and reap are,
/// what the memory did since, the exclusions and the back-off. No handles, no clock, no reference: the model checker
/// snapshots and restores it, and a table test can start from any state. Times are the inputs' CLOCK_MONOTONIC ms.
/// </summary>
public struct DecisionState
{
    public VictimPhase Phase;
    public PendingAction PendingAction;
    public VictimId Victim;

    /// <summary>With <see cref="PendingAction"/> Signal: which signal was asked for.</summary>
    public KillSignal PendingSignal;

    /// <summary>What the victim held when chosen (<see cref="RankedVictim.HeldBytes"/>), raised if it grew before its SIGKILL.</summary>
    public long HeldBytes;

    /// <summary>Its shmem when chosen: freed by its exit only, not by process_mrelease.</summary>
    public long ShmemBytes;

    /// <summary>The next candidate at the choice and what it held then: the yardstick of an allocator's growth (retarget).</summary>
    public VictimId RunnerUp;
    public long RunnerUpHeldBytes;

    /// <summary>What the SIGTERMed victim held at the retarget scan (-1: not in the ranking), for the Retarget report.</summary>
    public long HeldNowBytes;

    public long FirstSignalMs;
    public long TermSentMs;
    public long KillSentMs;

    /// <summary>The victim's pidfd became readable (its thread group exited).</summary>
    public bool VictimExited;
    public long VictimExitedMs;

    /// <summary>mm sharers signalled (or found, during a SIGTERM grace) and not yet exited.</summary>
    public int LiveSharers;

    /// <summary>The victim left during its SIGTERM grace while sharers kept its mm: they were SIGKILLed.</summary>
    public bool SharersKilled;

    public ReapState Reap;
    public long ReapAskedMs;
    public long ReapAnsweredMs;
    public bool ReapSlowReported;

    /// <summary>The latest available memory the core saw, and the lowest since the first signal (for "recovered").</summary>
    public long LastAvailableBytes;
    public long LastTermLevelBytes;
    public long LowestAvailableBytes;

    /// <summary>After ESRCH: the available memory at the last sign of progress and when it was seen (stuck detection).</summary>
    public long ProgressAvailableBytes;
    public long ProgressAtMs;

    /// <summary>After a scan that found nobody: no new scan before this time.</summary>
    public long NoCandidateUntilMs;

    public ExclusionList Exclusions;

    /// <summary>The state of a daemon that has just started: no victim, nothing excluded.</summary>
    public static DecisionState Initial => new() { NoCandidateUntilMs = long.MinValue, LowestAvailableBytes = long.MaxValue, HeldNowBytes = -1 };

    /// <summary>A victim is between its first signal and its settling: the gate is closed.</summary>
    public readonly bool InFlight => Phase != VictimPhase.None;
}
