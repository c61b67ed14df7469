namespace Reapd.Core.Cgroups;

/// <summary>
/// What a memory cgroup can still get before its OOM killer runs: limit − (usage − inactive file cache). The inactive
/// file pages are the ones reclaim drops first and cheaply; active file pages are someone's working set and anonymous
/// pages cannot go anywhere without swap, so neither counts as available. This is the cgroup's MemAvailable.
/// </summary>
public static class CgroupMemoryMath
{
    public static long AvailableBytes(long limitBytes, long usageBytes, long inactiveFileBytes)
    {
        long unreclaimable = Math.Max(0, usageBytes - Math.Max(0, inactiveFileBytes));
        return Math.Max(0, limitBytes - unreclaimable);
    }
}
