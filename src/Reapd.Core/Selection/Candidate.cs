using Reapd.Core.Proc;

namespace Reapd.Core.Selection;

/// <summary>
/// One process as the scan saw it: identity (pid + start time), name, memory figures (KiB), oom_score_adj, the
/// kernel-style badness in pages, and why it is excluded (None = a candidate). Plain data, stored in preallocated
/// arrays so a scan allocates nothing.
/// </summary>
public struct Candidate
{
    public int Pid;

    /// <summary>/proc/PID/stat field 22; with the pid, the identity the kill protocol checks after pidfd_open.</summary>
    public ulong StartTimeTicks;

    public ProcessName Name;

    /// <summary>/proc/PID/stat field 3.</summary>
    public byte State;

    public int Threads;

    /// <summary>/proc/PID/stat field 23, used as the cheap first filter when looking for processes sharing an mm.</summary>
    public ulong VsizeBytes;

    public long RssAnonKiB;
    public long RssFileKiB;
    public long RssShmemKiB;
    public long SwapKiB;
    public long PageTablesKiB;

    public int OomScoreAdj;

    /// <summary>
    /// The badness the ranking uses, in pages: oom_badness() as the kernel computes it (<see cref="Badness"/>), then
    /// every prefer and avoid rule that matched (docs/rules.md). Equal to <see cref="BaseBadnessPages"/> without rules.
    /// </summary>
    public long BadnessPages;

    /// <summary>oom_badness() as the kernel computes it, before any rule.</summary>
    public long BaseBadnessPages;

    /// <summary>The rules that touched this process, in the order they applied (indices into the scope's rule set).</summary>
    public RuleHits Rules;

    public ExclusionReason Exclusion;

    /// <summary>
    /// The rules were applied without the command line, which is still to be read (the scanner's first pass leaves the
    /// reads that can block on the process's mm for later), and a rule on it could change the outcome: prefer and avoid
    /// rules on it are not counted yet, and a protect rule on it excludes the process as
    /// <see cref="ExclusionReason.ProtectUnevaluated"/>.
    /// </summary>
    public bool RulesPending;

    public readonly bool IsCandidate => Exclusion == ExclusionReason.None;

    public readonly long RssKiB => RssAnonKiB + RssFileKiB + RssShmemKiB;
}
