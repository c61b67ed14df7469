namespace Reapd.Bench.Tests;

/// <summary>A victim whose memory left the cgroup while MemAvailable never showed it back says so in its run's notes.</summary>
public class ReportMemoryBackNoteTests
{
    [Fact]
    public void Memory_freed_in_the_cgroup_but_not_back_in_MemAvailable_is_named_in_the_runs_notes()
    {
        var scope = new BenchScope(false, 24105L * 1024);
        var reaped = new RunResult { Scenario = "blocked-exit", Daemon = "reapd", Round = 1, KillCrossS = 6.212, KillLineKiB = scope.KillLineKiB };
        reaped.Kills.Add(new KillRecord(6.216, 28107, "victim", "reapd", 2491L * 1024, FromTrace: true) { FreedS = 6.360 });
        var stuck = new RunResult { Scenario = "blocked-exit", Daemon = "reapd", Round = 2, KillCrossS = 5.0, KillLineKiB = scope.KillLineKiB };
        stuck.Kills.Add(new KillRecord(5.05, 28200, "victim", "reapd", 2491L * 1024, FromTrace: true));
        string dir = Directory.CreateTempSubdirectory("reapd-bench-report-").FullName;
        try
        {
            var report = new Report(new BenchOptions { Runs = 2 }, scope, _ => scope, "test", DateTime.UtcNow, DateTime.UtcNow, null);
            report.Write(dir, [new BlockedExitScenario()], ["reapd"], [reaped, stuck], []);

            string[] rows = File.ReadAllLines(Path.Combine(dir, "blocked-exit.md"));
            string first = Assert.Single(rows, l => l.Contains("28107 victim by reapd", StringComparison.Ordinal));
            Assert.Contains("the victim's memory left the cgroup 144 ms after the kill, but MemAvailable never rose by 80 % of it", first, StringComparison.Ordinal);
            // Nothing left the cgroup either: no such note.
            string second = Assert.Single(rows, l => l.Contains("28200 victim by reapd", StringComparison.Ordinal));
            Assert.DoesNotContain("left the cgroup", second, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
