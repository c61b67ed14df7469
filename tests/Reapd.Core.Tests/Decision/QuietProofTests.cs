using Reapd.Core.Daemon;
using Reapd.Core.Decision;
using Reapd.Core.Policy;
using Reapd.Core.Proc;
using Reapd.Testing;

namespace Reapd.Core.Tests.Decision;

/// <summary>
/// The quiet wake-up decides "nothing to do" on a lower bound of available memory (free pages less the reserves) without
/// reading /proc/meminfo. It must never say so where the meminfo sample would have crossed a line: random machines
/// (MemAvailable computed as the kernel's si_mem_available does), random configurations, zram swap bounded with the
/// lower figure; and the captured meminfo and zoneinfo of this machine at every line.
/// </summary>
public sealed class QuietProofTests
{
    private const long Page = 4096;

    /// <summary>si_mem_available (mm/show_mem.c, 6.x): the figure the exact sample carries.</summary>
    private static long KernelMemAvailablePages(long free, long reserve, long pagecache, long reclaimable, long wmarkLow)
    {
        long available = free - reserve;
        available += pagecache - Math.Min(pagecache / 2, wmarkLow);
        available += reclaimable - Math.Min(reclaimable / 2, wmarkLow);
        return Math.Max(0, available);
    }

    [Fact]
    public void A_bound_that_proves_quiet_never_hides_a_crossing_the_exact_sample_shows()
    {
        var random = new Random(20261129);
        int proven = 0, crossings = 0;
        for (int i = 0; i < 200_000; i++)
        {
            long total = random.NextInt64(64 << 8, 64L << 18); // 64 MiB .. 64 GiB in pages
            long free = random.NextInt64(0, total);
            long reserve = random.NextInt64(0, total / 20 + 1);
            long reserveUpper = reserve + random.NextInt64(0, total / 50 + 1); // what reapd subtracts: never less
            long pagecache = random.NextInt64(0, total - free + 1);
            long reclaimable = random.NextInt64(0, (total - free - pagecache) / 4 + 1);
            long wmarkLow = random.NextInt64(0, total / 100 + 1);
            long exactAvailable = KernelMemAvailablePages(free, reserve, pagecache, reclaimable, wmarkLow) * Page;
            long boundAvailable = Math.Max(0, free - reserveUpper) * Page;
            Assert.True(boundAvailable <= exactAvailable);

            long swapTotal = random.Next(3) == 0 ? 0 : random.NextInt64(1, total) * Page;
            long swapFree = swapTotal == 0 ? 0 : random.NextInt64(0, swapTotal + 1);
            var zram = new SwapDevice
            {
                SizeKiB = swapTotal / 1024, UsedKiB = (swapTotal - swapFree) / 1024, ZramIndex = 0,
                Zram = new ZramMmStat { OrigDataBytes = swapTotal - swapFree, MemUsedTotalBytes = (long)((swapTotal - swapFree) / (1 + random.NextDouble() * 3)), MemLimitBytes = random.Next(2) == 0 ? 0 : random.NextInt64(1, total) * Page, Known = true },
            };
            bool zramAware = random.Next(2) == 0;
            // The full reading bounds zram by the anonymous memory meminfo shows plus MemAvailable; the quiet one cannot
            // read the anonymous memory and uses its available lower bound alone.
            long anon = random.NextInt64(0, total - free + 1) * Page;
            long exactSwapFree = zramAware && swapTotal > 0 ? ZramSwapBound.ZramFreeBytes([zram], anon + exactAvailable) : swapFree;
            long boundSwapFree = zramAware && swapTotal > 0 ? ZramSwapBound.ZramFreeBytes([zram], boundAvailable) : swapFree;

            double term = 1 + random.NextDouble() * 40, kill = term * random.NextDouble();
            var config = new DaemonConfig
            {
                TermPercent = term, KillPercent = Math.Max(0.5, kill),
                SwapTermPercent = random.Next(2) == 0 ? null : random.NextDouble() * 50,
                Combination = random.Next(2) == 0 ? ThresholdCombination.AnyOf : ThresholdCombination.MemoryAndSwap,
            };
            if (config.SwapTermPercent is double st)
            {
                config = config with { SwapKillPercent = st * random.NextDouble() };
            }
            if (config.KillPercent > config.TermPercent)
            {
                continue;
            }
            var exact = new MemorySample(1000, exactAvailable, total * Page, exactSwapFree, swapTotal, PsiReading.None);
            MemorySample bound = exact with { AvailableBytes = boundAvailable, SwapFreeBytes = boundSwapFree, AvailableIsLowerBound = true };
            bool crossed = PressureAssessment.Assess(exact, config) != PressureLevel.None;
            crossings += crossed ? 1 : 0;
            if (PressureAssessment.ProvesQuiet(bound, config))
            {
                proven++;
                Assert.False(crossed, $"the bound proved quiet where the exact sample crossed a line: {exact} / {bound} / {config}");
            }
        }
        // The property is not vacuous: both outcomes occurred many times.
        Assert.True(proven > 10_000, $"only {proven} proofs");
        Assert.True(crossings > 10_000, $"only {crossings} crossings");
    }

    [Fact]
    public void On_the_captured_meminfo_and_zoneinfo_the_bound_is_below_MemAvailable_and_proves_quiet_only_above_every_line()
    {
        Assert.True(MemInfoParser.TryParse(ProcFixtures.Read("meminfo"), out MemInfo info));
        byte[] zoneinfo = File.ReadAllBytes(Path.Combine(NativeProgram.RepositoryRoot, "tests", "fixtures", "zoneinfo", "host-6.18-24g.zoneinfo"));
        long reservePages = ZoneReserveParser.ReservePages(zoneinfo, 15000, 512);
        long bound = Math.Max(0, info.MemFreeKiB * 1024 - reservePages * Page);
        Assert.True(bound <= info.MemAvailableKiB * 1024, $"bound {bound} above MemAvailable {info.MemAvailableKiB} KiB");
        var exact = new MemorySample(1000, info.MemAvailableKiB * 1024, info.MemTotalKiB * 1024, 0, 0, PsiReading.None);
        MemorySample lower = exact with { AvailableBytes = bound, AvailableIsLowerBound = true };
        for (double term = 0.5; term < 100; term += 0.5)
        {
            var config = new DaemonConfig { TermPercent = term, KillPercent = term / 2 };
            if (PressureAssessment.ProvesQuiet(lower, config))
            {
                Assert.Equal(PressureLevel.None, PressureAssessment.Assess(exact, config));
            }
        }
        // At the default lines the captured machine (most of it free) is proven quiet without meminfo.
        Assert.True(PressureAssessment.ProvesQuiet(lower, new DaemonConfig()));
    }
}
