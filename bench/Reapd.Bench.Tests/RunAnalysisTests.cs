namespace Reapd.Bench.Tests;

/// <summary>A run whose workload never took available memory below the kill line did not happen, and says why; a killed
/// fork-storm worker's memory is freed when the cgroup no longer holds it, and a kill before that is premature.</summary>
public class RunAnalysisTests
{
    private const long MiB = 1024;
    private const long KillLineKiB = 1205 * MiB;

    [Fact]
    public void A_run_that_never_reached_the_kill_line_did_not_happen_and_says_how_much_came_back_elsewhere()
    {
        // 4,096 MiB above the line at the start; the workload grows 3,600 MiB, but 600 MiB comes back outside it
        // (another user's memory freed, per-CPU page lists drained): available bottoms out 1,096 MiB above the line.
        var r = Run(
            Sample(0.00, KillLineKiB + (4096 * MiB), 0),
            Sample(1.00, KillLineKiB + (2600 * MiB), 1496 * MiB),
            Sample(3.50, KillLineKiB + (1096 * MiB), 3600 * MiB),
            Sample(6.00, KillLineKiB + (1100 * MiB), 3600 * MiB));

        string? why = RunAnalysis.DidNotHappen(r);

        Assert.NotNull(why);
        Assert.Contains("never went below the SIGKILL line (1205 MiB)", why, StringComparison.Ordinal);
        Assert.Contains("lowest 2301 MiB (1096 MiB above it) at 3.50 s", why, StringComparison.Ordinal);
        Assert.Contains("grown 3600 MiB", why, StringComparison.Ordinal);
        Assert.Contains("600 MiB came back outside it", why, StringComparison.Ordinal);
    }

    [Fact]
    public void A_run_that_crossed_the_kill_line_happened()
    {
        var r = Run(Sample(0, KillLineKiB + (4096 * MiB), 0), Sample(4, KillLineKiB - (256 * MiB), 4352 * MiB));
        r.KillCrossS = 104;

        Assert.Null(RunAnalysis.DidNotHappen(r));
    }

    [Fact]
    public void A_run_with_a_kill_before_the_line_happened()
    {
        var r = Run(Sample(0, KillLineKiB + (4096 * MiB), 0), Sample(2, KillLineKiB + (900 * MiB), 3196 * MiB));
        r.Kills.Add(new KillRecord(102, 4242, "victim", "reapd", 2000 * MiB, FromTrace: true));

        Assert.Null(RunAnalysis.DidNotHappen(r));
    }

    [Fact]
    public void A_run_without_a_sample_did_not_happen()
    {
        Assert.Equal("no memory sample during the run", RunAnalysis.DidNotHappen(Run()));
    }

    [Fact]
    public void A_void_run_is_not_counted()
    {
        var r = Run();
        Assert.True(r.Counted);

        r.Void = "available memory never went below the SIGKILL line";

        Assert.False(r.Counted);
    }

    [Fact]
    public void A_worker_whose_RSS_is_gone_is_freed_only_when_the_cgroup_no_longer_holds_its_pages()
    {
        // Fork-storm run 5 of 30 Nov: a 308 MiB worker killed at 0.010; the next turn reads its RSS gone, but the
        // cgroup's usage is down by 42 MiB only (the rest unmapped by its own exit, waiting in its mmu_gather), and
        // 25 ms later by all of it. The other workers grow 1 MiB per turn meanwhile.
        var samples = new[]
        {
            Worker(0.000, usageMiB: 3000, watchedRssMiB: 2990),
            Worker(0.008, usageMiB: 3001, watchedRssMiB: 2991),
            Worker(0.012, usageMiB: 2960, watchedRssMiB: 2684),
            Worker(0.014, usageMiB: 2961, watchedRssMiB: 2685),
            Worker(0.035, usageMiB: 2700, watchedRssMiB: 2688),
        };
        var killed = new KillRecord(100.010, 26340, "worker", "reapd", 308 * MiB, FromTrace: true);

        double freedS = RunAnalysis.WorkerFreedS(killed, samples, rssGoneSampleS: 100.012);

        Assert.Equal(100.035, freedS, 6);
    }

    [Fact]
    public void A_worker_whose_pages_left_the_cgroup_with_its_RSS_is_freed_at_the_turn_that_read_it_gone()
    {
        var samples = new[]
        {
            Worker(0.000, usageMiB: 3000, watchedRssMiB: 2990),
            Worker(0.008, usageMiB: 3001, watchedRssMiB: 2991),
            Worker(0.012, usageMiB: 2694, watchedRssMiB: 2684),
        };
        var killed = new KillRecord(100.010, 26340, "worker", "reapd", 308 * MiB, FromTrace: true);

        Assert.Equal(100.012, RunAnalysis.WorkerFreedS(killed, samples, rssGoneSampleS: 100.012), 6);
    }

    [Fact]
    public void The_charge_before_a_worker_kill_is_taken_from_a_turn_that_read_every_RSS_before_the_kill()
    {
        // The turn stamped at 0.009 read the victim's statm after the kill at 0.0095, already unmapped: its charge
        // that no process maps is inflated by the victim's pages, and would make their staying look like no change.
        var samples = new[]
        {
            Worker(0.000, usageMiB: 3000, watchedRssMiB: 2990),
            Worker(0.009, usageMiB: 3001, watchedRssMiB: 2684),
            Worker(0.012, usageMiB: 3002, watchedRssMiB: 2685),
        };
        var killed = new KillRecord(100.0095, 26340, "worker", "reapd", 308 * MiB, FromTrace: true);

        Assert.True(double.IsNaN(RunAnalysis.WorkerFreedS(killed, samples, rssGoneSampleS: 100.009)));
    }

    [Fact]
    public void A_worker_kill_before_the_previous_worker_was_freed_in_the_cgroup_is_premature_even_when_its_RSS_was_gone()
    {
        var sixth = new KillRecord(100.010, 26340, "worker", "reapd", 308 * MiB, FromTrace: true) { MemoryBackS = 100.012, FreedS = 100.035 };
        var seventh = new KillRecord(100.013, 26341, "worker", "reapd", 307 * MiB, FromTrace: true) { MemoryBackS = 100.015, FreedS = 100.015 };
        var eighth = new KillRecord(100.040, 26342, "worker", "reapd", 309 * MiB, FromTrace: true) { MemoryBackS = 100.042, FreedS = 100.042 };

        RunAnalysis.MarkPremature([sixth, seventh, eighth]);

        Assert.False(sixth.Premature);
        Assert.True(seventh.Premature);
        Assert.False(eighth.Premature);
    }

    [Fact]
    public void A_kill_after_a_victim_whose_memory_never_came_back_is_premature()
    {
        var first = new KillRecord(100.0, 4242, "victim", "reapd", 2000 * MiB, FromTrace: true);
        var second = new KillRecord(101.0, 4243, "bystander", "reapd", 200 * MiB, FromTrace: true);

        RunAnalysis.MarkPremature([first, second]);

        Assert.True(second.Premature);
    }

    [Fact]
    public void The_sampler_gap_around_a_kill_runs_from_the_last_sample_before_it_to_the_first_after_it()
    {
        var samples = new[] { Worker(0.000, 1, 1), Worker(0.0022, 1, 1), Worker(0.0182, 1, 1), Worker(0.0204, 1, 1) };

        Assert.Equal(16.0, RunAnalysis.SampleGapMs(samples, 100.005), 6);
        Assert.True(double.IsNaN(RunAnalysis.SampleGapMs(samples, 100.030)));
        Assert.True(double.IsNaN(RunAnalysis.SampleGapMs(samples, 99.0)));
    }

    private static MemorySample Worker(double afterStartS, long usageMiB, long watchedRssMiB) =>
        new(100 + afterStartS, 0, usageMiB * MiB, WatchedRssKiB: watchedRssMiB * MiB);

    private static MemorySample Sample(double afterStartS, long availableKiB, long workloadKiB) => new(100 + afterStartS, availableKiB, workloadKiB);

    private static RunResult Run(params MemorySample[] samples) => new()
    {
        Scenario = "blocked-exit",
        Daemon = "kernel",
        Round = 1,
        StartS = 100,
        EndS = 110,
        KillLineKiB = KillLineKiB,
        Samples = samples,
    };
}
