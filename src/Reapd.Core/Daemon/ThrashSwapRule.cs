namespace Reapd.Core.Daemon;

/// <summary>When the thrash condition (<see cref="ThrashTracker"/>) can hold at all, as its settings and refault counter allow.</summary>
public enum ThrashReach
{
    /// <summary>Never: a refault rate above 0 is asked for and there is no refault counter, so the rate is 0 on every window.</summary>
    Never,

    /// <summary>Only in a window with anonymous refaults, which need pages put out to swap: only while swap is in use.</summary>
    OnlyWithSwapInUse,

    /// <summary>With or without swap: no refault rate asked for (the stall alone), or the counter counts page cache (before Linux 5.9).</summary>
    Anytime,
}

/// <summary>
/// Why the thrash condition needs no PSI trigger on a quiet wake-up that sees no swap in use (docs/daemon.md, "Idle
/// cost"). The condition holds only on a window with at least <c>refaultsPerSecond</c> anonymous refaults a second
/// (workingset_refault_anon). The kernel counts such a refault when it faults back an anonymous or shmem page whose
/// eviction left a shadow entry, and an anonymous page is evicted only to swap (its shadow lives in the swap slot's
/// place: mm/workingset.c, mm/swap_state.c since 5.9), so a refault is of a page that held a swap slot from its
/// swap-out until its swap-in. Without swap in use no such page exists; the swap-in share cannot stand in for the
/// rate (with no swap traffic it is unknown, and unknown does not veto), so the rate must be above 0, and counted
/// apart from page-cache refaults (a kernel before 5.9 has one count, which page cache alone can fill). Pure.
/// </summary>
public static class ThrashSwapRule
{
    /// <param name="refaultsPerSecond">The condition's refault rate (<see cref="DaemonConfig.ThrashRefaultsPerSecond"/>, as its tracker has it).</param>
    /// <param name="hasRefaultCounter">Whether the scope's refault file was opened (without one the rate is 0).</param>
    /// <param name="countsAnonymousRefaults">Whether that file counts anonymous refaults apart (workingset_refault_anon, Linux 5.9 on).</param>
    public static ThrashReach Reach(double refaultsPerSecond, bool hasRefaultCounter, bool countsAnonymousRefaults)
    {
        if (!(refaultsPerSecond > 0))
        {
            // The stall alone decides where the swap-in share is unknown, as it is with no swap traffic at all.
            return ThrashReach.Anytime;
        }
        if (!hasRefaultCounter)
        {
            return ThrashReach.Never;
        }
        return countsAnonymousRefaults ? ThrashReach.OnlyWithSwapInUse : ThrashReach.Anytime;
    }

    /// <summary>
    /// Whether the sample shows any swap slot taken, by the kernel's own count (sysinfo's or meminfo's SwapFree, not the
    /// zram-aware figure, which is lower: it would read "in use" where nothing is). A slot is taken from a page's
    /// swap-out (zswap's pages included: they hold one too) until it is freed. Before Linux 6.15 per-CPU slot caches
    /// take 64 slots at a CPU's first swap-out and keep the unused ones until swapoff: there this says "in use" from
    /// the first swap-out on, for good (safe: the pressure file is read; docs/daemon.md, "Without swap in use").
    /// </summary>
    public static bool SwapInUse(in MemorySample sample)
    {
        if (sample.SwapTotalBytes <= 0)
        {
            return false;
        }
        long kernelFreeBytes = sample.RawSwapFreeBytes >= 0 ? sample.RawSwapFreeBytes : sample.SwapFreeBytes;
        return kernelFreeBytes < sample.SwapTotalBytes;
    }
}
