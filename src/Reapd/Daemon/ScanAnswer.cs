using Reapd.Core.Proc;

namespace Reapd.Daemon;

/// <summary>What a scan answered besides its ranking: whether it is whole, what it skipped and why, how long it took.</summary>
internal struct ScanAnswer
{
    public ScanEnd End;

    /// <summary>Processes listed in the scope when the scan began.</summary>
    public int Listed;

    /// <summary>Entries in the ranking (candidates and excluded processes).</summary>
    public int Ranked;

    /// <summary>
    /// Listed processes left out because their reads did not finish: not reached by the deadline, the one a read is
    /// stuck in, and those another scanner thread is already stuck in.
    /// </summary>
    public int Skipped;

    /// <summary>Of <see cref="Skipped"/>, those dropped at once because another scanner thread is stuck inside them.</summary>
    public int KnownStuckSkipped;

    /// <summary>The process whose read had not returned at the deadline (0: none; the scan was just slow).</summary>
    public int StuckPid;

    public ProcessName StuckName;

    /// <summary>The stuck read was one of those that wait on the target's mmap lock (the second pass).</summary>
    public bool StuckInDetail;

    /// <summary>
    /// Ranked entries whose command-line rules were not applied by the end of the scan (Candidate.RulesPending): their
    /// prefer and avoid rules on the command line are not counted, a protect rule on it excludes them.
    /// </summary>
    public int RulesPending;

    /// <summary>Entries at the head of the ranking whose command line was read.</summary>
    public int CmdlinesRead;

    /// <summary>Wall time from the request to the answer, on the loop's clock.</summary>
    public double ElapsedMs;

    public readonly bool IsComplete => End == ScanEnd.Complete;
}
