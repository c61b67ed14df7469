namespace Reapd.Core.Proc;

/// <summary>
/// The cumulative counters the thrash condition tells a working set coming back by (docs/daemon.md, "The thrash
/// condition"), as one read of /proc/vmstat or a cgroup2 memory.stat gives them; each -1 where the file has no such
/// counter (a cgroup's memory.stat counts swap-ins and swap-outs only since Linux 6.13).
/// </summary>
/// <param name="AnonRefaults">workingset_refault_anon: anonymous pages swapped back in soon after reclaim evicted them.</param>
/// <param name="FileRefaults">workingset_refault_file (before 5.9, workingset_refault): page cache read back soon after eviction.</param>
/// <param name="SwapIns">pswpin (+ zswpin where zswap is on): pages brought back from swap.</param>
/// <param name="SwapOuts">pswpout (+ zswpout): pages put out to swap.</param>
public readonly record struct RefaultCounters(long AnonRefaults, long FileRefaults, long SwapIns, long SwapOuts)
{
    /// <summary>Nothing read (the caller skipped the file, or the read failed).</summary>
    public static readonly RefaultCounters Unread = new(-1, -1, -1, -1);

    /// <summary>
    /// The refault count the thrash condition goes by: the anonymous refaults; on a kernel that does not tell the kinds
    /// apart (before 5.9) the one page-cache count, but only where the swap counters are there to veto a push-out with
    /// (/proc/vmstat); a cgroup's memory.stat of such a kernel has neither, and a stall with page-cache refaults alone
    /// is what a push-out of cold pages looks like, so the count is -1 there (unknown: the condition waits).
    /// </summary>
    public long ThrashRefaults => AnonRefaults >= 0 ? AnonRefaults : SwapIns >= 0 && SwapOuts >= 0 ? FileRefaults : -1;
}
