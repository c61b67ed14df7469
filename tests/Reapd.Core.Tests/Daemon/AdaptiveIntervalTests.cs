using Reapd.Core.Decision;
using Reapd.Core.Daemon;
using static Reapd.Core.Tests.Daemon.Samples;

namespace Reapd.Core.Tests.Daemon;

public sealed class AdaptiveIntervalTests
{
    private static readonly DaemonConfig Config = new();

    [Fact]
    public void Plenty_of_headroom_means_the_longest_interval()
    {
        MemorySample sample = At(0, 20_000, totalMiB: 24_000);
        Assert.Equal(Config.MaxIntervalMs, Next(sample, VictimPhase.None));
    }

    [Fact]
    public void The_interval_shrinks_as_the_headroom_shrinks()
    {
        int previous = int.MaxValue;
        foreach (long available in new long[] { 900, 600, 300, 200, 150, 120, 105, 101 })
        {
            int interval = Next(At(0, available), VictimPhase.None);
            Assert.True(interval <= previous, $"{available} MiB: {interval} ms after {previous} ms");
            previous = interval;
        }
        Assert.Equal(Config.MinIntervalMs, previous);
    }

    [Fact]
    public void A_victim_in_flight_is_watched_closely()
    {
        Assert.Equal(Config.InFlightIntervalMs, Next(At(0, 40), VictimPhase.Killed));
    }

    [Theory]
    [InlineData(1024)]
    [InlineData(4096)]
    [InlineData(8192)]
    public void An_allocator_at_several_GiB_per_second_cannot_cross_the_kill_level_unseen(long rateMiBPerSecond)
    {
        // A 24 GiB machine at 50 % available, eaten at the given rate; the loop samples at the adaptive interval.
        // It must see the term level before the kill level, and see the kill level within the shortest interval.
        const long totalMiB = 24 * 1024;
        double availableMiB = totalMiB / 2.0;
        double nowMs = 0;
        bool sawTerm = false;
        double termLevelMiB = totalMiB * Config.TermPercent / 100;
        double killLevelMiB = totalMiB * Config.KillPercent / 100;
        double crossedKillAtMs = (availableMiB - killLevelMiB) / rateMiBPerSecond * 1000;
        for (int step = 0; step < 1_000_000; step++)
        {
            var sample = new MemorySample((long)nowMs, (long)(availableMiB * MiB), totalMiB * MiB, 0, 0, PsiReading.None);
            long termBytes = (long)(termLevelMiB * MiB);
            long killBytes = (long)(killLevelMiB * MiB);
            if (sample.AvailableBytes <= killBytes)
            {
                Assert.True(sawTerm, "the kill level was reached without a sample at the term level");
                Assert.InRange(nowMs - crossedKillAtMs, -0.01, Config.MinIntervalMs);
                return;
            }
            sawTerm |= sample.AvailableBytes <= termBytes;
            // Once SIGTERMed, the loop watches the kill level (the victim is the allocator that ignores SIGTERM).
            int interval = AdaptiveInterval.NextMs(sample, Config, termBytes, killBytes,
                sawTerm ? VictimPhase.Terminating : VictimPhase.None);
            nowMs += interval;
            availableMiB -= rateMiBPerSecond * interval / 1000.0;
        }
        Assert.Fail("the allocator never reached the kill level");
    }

    private static int Next(in MemorySample sample, VictimPhase phase)
    {
        return AdaptiveInterval.NextMs(sample, Config, PressureAssessment.TermLevelBytes(sample, Config), PressureAssessment.KillLevelBytes(sample, Config), phase);
    }
}
