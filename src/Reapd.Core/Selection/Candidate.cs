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

    /// <summary>oom_badness() as the kernel computes it, in pages (see <see cref="Badness"/>).</summary>
    public long BadnessPages;

    public ExclusionReason Exclusion;

    public readonly bool IsCandidate => Exclusion == ExclusionReason.None;

    public readonly long RssKiB => RssAnonKiB + RssFileKiB + RssShmemKiB;
}
