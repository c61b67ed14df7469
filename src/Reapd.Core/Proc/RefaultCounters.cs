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
}
