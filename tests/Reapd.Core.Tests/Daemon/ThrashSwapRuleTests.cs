using Reapd.Core.Daemon;

namespace Reapd.Core.Tests.Daemon;

/// <summary>
/// When the thrash condition can hold at all (<see cref="ThrashSwapRule"/>): its anonymous refaults need pages in swap,
/// so a quiet wake-up that sees no swap slot taken needs no trigger for it (docs/daemon.md, "Idle cost").
/// </summary>
public sealed class ThrashSwapRuleTests
{
    private const long MiB = 1L << 20;

    [Theory]
    // The default: 250 anonymous refaults a second, counted apart (Linux 5.9 on): only with swap in use.
    [InlineData(250, true, true, ThrashReach.OnlyWithSwapInUse)]
    [InlineData(0.5, true, true, ThrashReach.OnlyWithSwapInUse)]
    // --thrash-refaults 0: the stall alone holds it where the swap-in share is unknown, as with no swap traffic at all.
    [InlineData(0, true, true, ThrashReach.Anytime)]
    [InlineData(0, false, false, ThrashReach.Anytime)]
    // One refault count (before 5.9): page cache alone can fill it, swap or none.
    [InlineData(250, true, false, ThrashReach.Anytime)]
    // No refault counter: the rate is 0 on every window, so a rate above 0 is never reached.
    [InlineData(250, false, false, ThrashReach.Never)]
    [InlineData(250, false, true, ThrashReach.Never)]
    public void The_thrash_condition_needs_swap_in_use_only_where_it_asks_for_anonymous_refaults(
        double refaultsPerSecond, bool hasCounter, bool anonymous, ThrashReach expected)
    {
        Assert.Equal(expected, ThrashSwapRule.Reach(refaultsPerSecond, hasCounter, anonymous));
    }

    [Theory]
    // No swap device at all.
    [InlineData(0, 0, -1, false)]
    // A device with every slot free: swapon'd, nothing swapped out yet.
    [InlineData(1024, 1024, -1, false)]
    // One page's slot taken.
    [InlineData(1024, 1023, -1, true)]
    // zram-aware sensing counted less free than the kernel does: the kernel's own count decides.
    [InlineData(1024, 600, 1024, false)]
    [InlineData(1024, 600, 1000, true)]
    public void Swap_is_in_use_when_the_kernel_counts_any_slot_taken(long totalMiB, long freeMiB, long rawFreeMiB, bool inUse)
    {
        var sample = new MemorySample(0, 8192 * MiB, 16384 * MiB, freeMiB * MiB, totalMiB * MiB, default)
        {
            RawSwapFreeBytes = rawFreeMiB < 0 ? -1 : rawFreeMiB * MiB,
        };
        Assert.Equal(inUse, ThrashSwapRule.SwapInUse(sample));
    }
}
