namespace Reapd.Bench;

/// <summary>
/// One reading of the sampler: the scope's available memory (MemAvailable system-wide; limit − usage of the
/// workload cgroup in quick mode) and the workload cgroup's usage, both in KiB, at a monotonic time, with the
/// machine's cumulative PSI memory stall counters (/proc/pressure/memory "total=", µs; -1 without PSI), and the sum of
/// the watched processes' resident memory read in the same turn (KiB). The cgroup's usage minus that sum is memory
/// charged to the workload that no watched process maps: page tables, short-lived children, and a victim's pages that
/// are unmapped (its RSS already 0) but not yet freed.
/// </summary>
internal readonly record struct MemorySample(double TimeS, long AvailableKiB, long WorkloadUsageKiB, long PsiSomeUs = -1, long PsiFullUs = -1,
    long WatchedRssKiB = 0)
{
    public long UnmappedChargeKiB => WorkloadUsageKiB - WatchedRssKiB;
}
