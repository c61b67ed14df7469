namespace Reapd.Bench.Tests;

/// <summary>A run whose workload never took available memory below the kill line did not happen, and says why.</summary>
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
