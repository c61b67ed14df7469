namespace Reapd.Core.Proc;

/// <summary>The /proc/meminfo lines reapd uses, in KiB (fs/proc/meminfo.c).</summary>
public struct MemInfo
{
    public long MemTotalKiB;
    public long MemFreeKiB;
    /// <summary>The kernel's estimate of memory available without swapping (si_mem_available).</summary>
    public long MemAvailableKiB;
    public long CachedKiB;
    public long ShmemKiB;
    public long SwapTotalKiB;
    public long SwapFreeKiB;
    /// <summary>Anonymous (and shmem) pages on the active and inactive LRU lists: what reclaim can still swap out.</summary>
    public long ActiveAnonKiB;
    public long InactiveAnonKiB;
}
