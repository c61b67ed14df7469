using Reapd.Core.Daemon;
using Reapd.Daemon;
using Reapd.Linux.Sensors;
using Reapd.Testing;

namespace Reapd.Tests;

/// <summary>
/// When a quiet wake-up may leave the PSI file unread (docs/daemon.md, "Idle cost"): only while triggers watch every
/// stall condition, the wake-up is not a trigger's and the counters were still at the last reading. The sensor here
/// counts its reads of the pressure file; the rest of the daemon is exercised on the live machine by
/// <see cref="QuietWakeupCostTests"/> and the end-to-end tests.
/// </summary>
public sealed class SampleSourcePsiTests
{
    private const long GiB = 1L << 30;

    [Fact]
    public void Quiet_wake_ups_skip_the_pressure_file_while_the_counters_are_still()
    {
        var sensor = new CountingSensor();
        var samples = new SampleSource(sensor, new DaemonConfig()) { PsiTriggersCover = true };
        for (long t = 0; t < 5000; t += 1000)
        {
            Assert.True(samples.TryRead(t, quietAllowed: true, psiWoke: false, out MemorySample sample));
            Assert.True(sample.Psi.Present);
        }
        // The first (exact) reading has nothing to compare with; the second finds the counters still; the rest skip.
        Assert.Equal(2, sensor.PressureReads);
        Assert.Equal(3, samples.PsiReadsSkipped);
    }

    [Fact]
    public void A_trigger_wake_up_or_a_growing_counter_reads_the_pressure_file_again()
    {
        var sensor = new CountingSensor();
        var samples = new SampleSource(sensor, new DaemonConfig()) { PsiTriggersCover = true };
        long t = 0;
        for (; t < 3000; t += 1000)
        {
            samples.TryRead(t, quietAllowed: true, psiWoke: false, out _);
        }
        int reads = sensor.PressureReads;
        samples.TryRead(t, quietAllowed: true, psiWoke: true, out _);
        Assert.Equal(reads + 1, sensor.PressureReads);

        // 50 ms of some stall in a second (5 %): from the reading that saw it on, every cycle reads.
        sensor.SomeTotalUs += 50_000;
        t += 1000;
        samples.TryRead(t, quietAllowed: true, psiWoke: true, out _);
        for (int i = 0; i < 3; i++)
        {
            t += 1000;
            sensor.SomeTotalUs += 50_000;
            samples.TryRead(t, quietAllowed: true, psiWoke: false, out MemorySample sample);
            Assert.Equal(sensor.SomeTotalUs, sample.Psi.SomeTotalUs);
        }
        Assert.Equal(reads + 5, sensor.PressureReads);
    }

    [Fact]
    public void Without_a_trigger_for_every_condition_every_cycle_reads_the_pressure_file()
    {
        var sensor = new CountingSensor();
        var samples = new SampleSource(sensor, new DaemonConfig()) { PsiTriggersCover = false };
        for (long t = 0; t < 5000; t += 1000)
        {
            samples.TryRead(t, quietAllowed: true, psiWoke: false, out _);
        }
        Assert.Equal(5, sensor.PressureReads);
        Assert.Equal(0, samples.PsiReadsSkipped);
    }

    [Theory]
    // The early some trigger (100 ms in 1 s) covers the thrash condition (400 ms in 1 s: two trigger windows share it,
    // one holds 200 ms) and the full-stall condition (6 s in 10 s: eleven windows, one holds 545 ms).
    [InlineData(100_000, 1_000_000, 40, 1_000, true)]
    [InlineData(100_000, 1_000_000, 60, 10_000, true)]
    // A trigger armed at the condition's own share does not: the condition's window may straddle two of its windows.
    [InlineData(400_000, 1_000_000, 40, 1_000, false)]
    [InlineData(6_000_000, 10_000_000, 60, 10_000, false)]
    // Widened to 2 s (no CAP_SYS_RESOURCE): longer than the thrash condition's 1 s, so it covers that at no threshold;
    // six 2 s windows share a 10 s window.
    [InlineData(200_000, 2_000_000, 40, 1_000, false)]
    [InlineData(400_000, 2_000_000, 40, 1_000, false)]
    [InlineData(200_000, 2_000_000, 60, 10_000, true)]
    // A window that does not divide the condition's: five 3 s windows share 10 s.
    [InlineData(1_200_000, 3_000_000, 60, 10_000, true)]
    [InlineData(1_300_000, 3_000_000, 60, 10_000, false)]
    // A some condition of 10 % over 10 s is more than the 10 % trigger can promise.
    [InlineData(100_000, 1_000_000, 10, 10_000, false)]
    public void A_trigger_covers_a_stall_condition_only_if_it_fires_in_every_window_that_holds_the_condition(
        long thresholdUs, long triggerWindowUs, double levelPercent, long windowMs, bool covers)
    {
        Assert.Equal(covers, DaemonResources.Covers(thresholdUs, triggerWindowUs, levelPercent, windowMs * 1000));
    }

    [Fact]
    public void The_some_trigger_covers_the_full_stall_and_thrash_conditions_and_a_widened_one_leaves_the_thrash_condition_uncovered()
    {
        var defaults = new DaemonConfig();
        (long, long) some = (100_000, 1_000_000);
        (long, long) full = (6_000_000, 10_000_000);
        (long, long) thrash = (400_000, 1_000_000);
        Assert.True(DaemonResources.TriggersCover(defaults, some, full, thrash));
        // The full and thrash triggers refused: the some trigger still covers both conditions.
        Assert.True(DaemonResources.TriggersCover(defaults, some, null, null));
        // The some trigger refused: the others, at their conditions' shares, cannot promise to fire.
        Assert.False(DaemonResources.TriggersCover(defaults, null, full, thrash));
        // As the kernel arms them without CAP_SYS_RESOURCE (2 s windows): the 10 s condition is covered, the 1 s
        // thrash condition is not, so every cycle reads the pressure file; with the thrash condition off, none needs to.
        (long, long) someWide = (200_000, 2_000_000);
        (long, long) thrashWide = (800_000, 2_000_000);
        Assert.False(DaemonResources.TriggersCover(defaults, someWide, full, thrashWide));
        Assert.True(DaemonResources.TriggersCover(defaults with { ThrashFullPercent = null }, someWide, full, null));
    }

    [Fact]
    public void A_victim_in_flight_reads_the_pressure_file_on_every_cycle()
    {
        var sensor = new CountingSensor();
        var samples = new SampleSource(sensor, new DaemonConfig()) { PsiTriggersCover = true };
        for (long t = 0; t < 5000; t += 1000)
        {
            samples.TryRead(t, quietAllowed: false, psiWoke: false, out _);
        }
        Assert.Equal(5, sensor.PressureReads);
    }

    [Fact]
    public void A_dropped_psi_trigger_makes_every_quiet_wake_up_read_the_pressure_file_again()
    {
        var sensor = new CountingSensor();
        var samples = new SampleSource(sensor, new DaemonConfig()) { PsiTriggersCover = true };
        long t = 0;
        for (; t < 4000; t += 1000)
        {
            samples.TryRead(t, quietAllowed: true, psiWoke: false, out _);
        }
        Assert.Equal(2, samples.PsiReadsSkipped);
        int reads = sensor.PressureReads;

        // The loop's poll reported POLLERR on a trigger (its cgroup removed): the trigger is gone from the wake set.
        samples.PsiTriggerDropped();
        Assert.False(samples.PsiTriggersCover);
        for (int i = 0; i < 4; i++, t += 1000)
        {
            Assert.True(samples.TryRead(t, quietAllowed: true, psiWoke: false, out MemorySample sample));
            Assert.True(sample.Psi.Present);
        }
        Assert.Equal(reads + 4, sensor.PressureReads);
        Assert.Equal(2, samples.PsiReadsSkipped);
    }

    [Fact]
    public void Without_swap_in_use_quiet_wake_ups_skip_the_pressure_file_and_with_swap_in_use_they_read_it()
    {
        // As on a machine whose root lacks CAP_SYS_RESOURCE: triggers cover every condition but the 1 s thrash one.
        var sensor = new CountingSensor { SwapTotalBytes = GiB, SwapFreeBytes = GiB };
        var samples = new SampleSource(sensor, new DaemonConfig()) { PsiTriggersCoverWithoutSwap = true };
        long t = 0;
        for (; t < 4000; t += 1000)
        {
            Assert.True(samples.TryRead(t, quietAllowed: true, psiWoke: false, out _));
        }
        // The exact first reading, the second to find the counters still, then two skipped: a swap device with every
        // slot free is no swap in use.
        Assert.Equal(2, sensor.PressureReads);
        Assert.Equal(2, samples.PsiReadsSkipped);

        // One page swapped out: every quiet wake-up reads the file again, on the same sysinfo reading.
        sensor.SwapFreeBytes = GiB - 4096;
        for (int i = 0; i < 3; i++, t += 1000)
        {
            sensor.SomeTotalUs += 1_000;
            Assert.True(samples.TryRead(t, quietAllowed: true, psiWoke: false, out MemorySample sample));
            Assert.Equal(sensor.SomeTotalUs, sample.Psi.SomeTotalUs);
        }
        Assert.Equal(5, sensor.PressureReads);
        Assert.Equal(7, sensor.LowerBoundReads); // one sysinfo reading a cycle, seven cycles
        Assert.Equal(2, samples.PsiReadsSkipped);

        // Swapped back in (or swapoff): still read for one thrash window and one longest interval (2 s) after the last
        // reading that saw a slot taken (a slot can be freed as its page comes back in while the window still holds
        // refaults), then skipped again while the counters stay still.
        sensor.SwapFreeBytes = GiB;
        for (int i = 0; i < 3; i++, t += 1000)
        {
            samples.TryRead(t, quietAllowed: true, psiWoke: false, out _);
        }
        Assert.Equal(7, sensor.PressureReads);
        Assert.Equal(3, samples.PsiReadsSkipped);

        // A trigger's wake-up reads it whatever swap does.
        samples.TryRead(t, quietAllowed: true, psiWoke: true, out _);
        Assert.Equal(8, sensor.PressureReads);
    }

    [Fact]
    public void A_quiet_wake_up_that_finds_swap_in_use_allocates_nothing()
    {
        // The branch that reads the pressure file on the cheap reading runs on the loop in quiet cycles (review finding:
        // no allocation test covered it, the host has no swap).
        var sensor = new CountingSensor { SwapTotalBytes = GiB, SwapFreeBytes = GiB - 4096 };
        var samples = new SampleSource(sensor, new DaemonConfig()) { PsiTriggersCoverWithoutSwap = true };
        long t = 0;
        for (; t < 3000; t += 1000)
        {
            sensor.SomeTotalUs += 1_000;
            Assert.True(samples.TryRead(t, quietAllowed: true, psiWoke: false, out _));
        }
        int reads = sensor.PressureReads, wakeUps = 0, failed = 0;
        // Five wake-ups, each measured on its own (ThreadAllocation); one run again is the next second's wake-up.
        long allocated = ThreadAllocation.Measure(5, () =>
        {
            sensor.SomeTotalUs += 1_000;
            failed += samples.TryRead(t, quietAllowed: true, psiWoke: false, out _) ? 0 : 1;
            t += 1000;
            wakeUps++;
        });
        Assert.Equal(0, failed);
        Assert.True(wakeUps >= 5);
        Assert.Equal(reads + wakeUps, sensor.PressureReads);
        Assert.Equal(0, samples.PsiReadsSkipped);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void A_dropped_trigger_ends_the_skip_without_swap_too()
    {
        var sensor = new CountingSensor();
        var samples = new SampleSource(sensor, new DaemonConfig()) { PsiTriggersCoverWithoutSwap = true };
        long t = 0;
        for (; t < 3000; t += 1000)
        {
            samples.TryRead(t, quietAllowed: true, psiWoke: false, out _);
        }
        Assert.Equal(1, samples.PsiReadsSkipped);
        samples.PsiTriggerDropped();
        Assert.False(samples.PsiTriggersCoverWithoutSwap);
        for (int i = 0; i < 3; i++, t += 1000)
        {
            samples.TryRead(t, quietAllowed: true, psiWoke: false, out _);
        }
        Assert.Equal(1, samples.PsiReadsSkipped);
        Assert.Equal(5, sensor.PressureReads);
    }

    [Theory]
    // Triggers as the kernel arms them without CAP_SYS_RESOURCE (2 s windows): the thrash condition is the one uncovered.
    [InlineData(ThrashReach.OnlyWithSwapInUse, true, "WithoutSwap")]
    [InlineData(ThrashReach.Never, true, "Always")]
    [InlineData(ThrashReach.Anytime, true, "Never")]
    // The some trigger refused: the 10 s full-stall condition is uncovered as well, whatever swap does.
    [InlineData(ThrashReach.OnlyWithSwapInUse, false, "Never")]
    [InlineData(ThrashReach.Never, false, "Never")]
    public void Without_a_trigger_for_the_thrash_condition_its_need_for_swap_decides_when_the_file_may_be_skipped(
        ThrashReach reach, bool someArmed, string expected)
    {
        (long, long)? some = someArmed ? (200_000, 2_000_000) : null;
        (long, long) full = (6_000_000, 10_000_000);
        (long, long) thrash = (800_000, 2_000_000);
        Assert.Equal(expected, DaemonResources.CoverFor(new DaemonConfig(), reach, some, full, thrash).ToString());
    }

    [Fact]
    public void Triggers_that_cover_the_thrash_condition_or_a_thrash_condition_turned_off_need_no_rule_about_swap()
    {
        (long, long) some = (100_000, 1_000_000);
        (long, long) someWide = (200_000, 2_000_000);
        (long, long) full = (6_000_000, 10_000_000);
        // 1 s triggers (CAP_SYS_RESOURCE): covered as before, even where the condition could hold without swap.
        Assert.Equal(DaemonResources.PsiCover.Always, DaemonResources.CoverFor(new DaemonConfig(), ThrashReach.Anytime, some, full, (400_000, 1_000_000)));
        // --thrash-percent off: nothing left uncovered.
        Assert.Equal(DaemonResources.PsiCover.Always, DaemonResources.CoverFor(new DaemonConfig { ThrashFullPercent = null }, ThrashReach.Anytime, someWide, full, null));
    }

    /// <summary>A scope with 8 of 16 GiB available and PSI counters the test sets; it counts reads of the pressure file.</summary>
    private sealed class CountingSensor : IMemorySensor
    {
        public long SomeTotalUs { get; set; } = 1_000_000;

        public long SwapTotalBytes { get; set; }

        public long SwapFreeBytes { get; set; }

        public int LowerBoundReads { get; private set; }

        public int PressureReads { get; private set; }

        public string Description => "test";

        public string? PressurePath => "/proc/pressure/memory";

        public bool TryRead(long timeMs, out MemorySample sample)
        {
            PressureReads++;
            sample = Sample(timeMs, new PsiReading(true, SomeTotalUs, 0, 0, 0));
            return true;
        }

        public bool TryReadLowerBound(long timeMs, out MemorySample sample)
        {
            LowerBoundReads++;
            PressureReads++;
            sample = Sample(timeMs, new PsiReading(true, SomeTotalUs, 0, 0, 0)) with { AvailableIsLowerBound = true };
            return true;
        }

        public bool TryReadLowerBound(long timeMs, in PsiReading keptPressure, out MemorySample sample)
        {
            LowerBoundReads++;
            sample = Sample(timeMs, keptPressure) with { AvailableIsLowerBound = true };
            return true;
        }

        public PsiReading ReadPressure()
        {
            PressureReads++;
            return new PsiReading(true, SomeTotalUs, 0, 0, 0);
        }

        private MemorySample Sample(long timeMs, PsiReading psi) => new(timeMs, 8 * GiB, 16 * GiB, SwapFreeBytes, SwapTotalBytes, psi);

        public void Dispose()
        {
        }
    }
}
