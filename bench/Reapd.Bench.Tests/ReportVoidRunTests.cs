namespace Reapd.Bench.Tests;

/// <summary>A run that did not happen is named with its reason in the report and counts in none of its figures.</summary>
public class ReportVoidRunTests
{
    [Fact]
    public void A_run_that_did_not_happen_is_named_in_the_tables_and_left_out_of_the_counts()
    {
        var scope = new BenchScope(false, 24105L * 1024);
        const string Why = "available memory never went below the SIGKILL line (1205 MiB): lowest 1265 MiB";
        var results = new List<RunResult>
        {
            new() { Scenario = "blocked-exit", Daemon = "kernel", Round = 1, Void = Why, KillLineKiB = scope.KillLineKiB },
            new() { Scenario = "blocked-exit", Daemon = "kernel", Round = 2, KillCrossS = 3.2, KillLineKiB = scope.KillLineKiB },
        };
        string dir = Directory.CreateTempSubdirectory("reapd-bench-report-").FullName;
        try
        {
            var report = new Report(new BenchOptions { Runs = 2 }, scope, _ => scope, "test", DateTime.UtcNow, DateTime.UtcNow, null);
            report.Write(dir, [new BlockedExitScenario()], ["kernel"], results, []);

            string md = File.ReadAllText(Path.Combine(dir, "blocked-exit.md"));
            // One run counted, the other named: "nobody ×1", not ×2.
            Assert.Contains("| kernel | 1 (1 more did not happen) |", md, StringComparison.Ordinal);
            Assert.Contains("nobody ×1 |", md, StringComparison.Ordinal);
            Assert.DoesNotContain("nobody ×2", md, StringComparison.Ordinal);
            Assert.Contains("kernel: did not happen, not counted: run 1: " + Why, md, StringComparison.Ordinal);
            Assert.Contains("**did not happen, not counted**: " + Why, md, StringComparison.Ordinal);
            Assert.Contains("| blocked-exit | kernel (1 more did not happen) |", File.ReadAllText(Path.Combine(dir, "summary.md")), StringComparison.Ordinal);

            string[] csv = File.ReadAllLines(Path.Combine(dir, "runs.csv"));
            Assert.EndsWith(",did_not_happen", csv[0], StringComparison.Ordinal);
            Assert.EndsWith($",\"{Why}\"", csv[1], StringComparison.Ordinal);
            Assert.EndsWith(",", csv[2], StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
