using System.Diagnostics;
using System.Globalization;
using Reapd.Daemon;

namespace Reapd.Tests;

/// <summary>
/// What one quiet cycle of the daemon costs with the lower bound (sysinfo, no /proc/meminfo) and with the full reading
/// (as before the bound): alternating blocks on the whole machine, reported, not asserted (tests never assert timings).
/// The numbers in docs/daemon.md "Measured here" come from this test's report.
/// </summary>
public sealed class QuietWakeupCostTests
{
    [Fact]
    public void A_quiet_cycle_on_the_bound_and_on_meminfo_are_both_measured_and_reported()
    {
        Assert.SkipUnless(File.Exists("/proc/zoneinfo"), "needs /proc/zoneinfo");
        RunOptions options = RunOptionsParser.TryParse(["--json", "--dry-run"], out string? error) ?? throw new InvalidOperationException(error);
        var output = new StringWriter();
        using DaemonLoop guard = DaemonLoop.TryCreate(options, new EventLog(output, json: true, journal: false), out error, out _) ?? throw new InvalidOperationException(error);
        guard.Start(protectSelf: false);
        Assert.SkipWhen(output.ToString().Contains("\"event\":\"trigger\"", StringComparison.Ordinal), "this machine is below the default lines now");
        const int Block = 2000;
        var boundUs = new List<double>();
        var fullUs = new List<double>();
        for (int round = 0; round < 6; round++)
        {
            foreach (bool quiet in new[] { true, false })
            {
                guard.Samples.QuietEnabled = quiet;
                long quietBefore = guard.Samples.QuietReads;
                long start = Stopwatch.GetTimestamp();
                for (int i = 0; i < Block; i++)
                {
                    guard.RunOnce(0);
                }
                double us = Stopwatch.GetElapsedTime(start).TotalMicroseconds / Block;
                (quiet ? boundUs : fullUs).Add(us);
                long quietCycles = guard.Samples.QuietReads - quietBefore;
                // The switch did what it says: the bound's blocks decided (almost) all on it, the others never.
                Assert.True(quiet ? quietCycles >= Block - 10 : quietCycles == 0, $"quiet={quiet}: {quietCycles} quiet cycles");
            }
        }
        boundUs.Sort();
        fullUs.Sort();
        TestContext.Current.TestOutputHelper?.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"one warm quiet cycle (poll with timeout 0 included), median of 6 blocks of {Block}: on the lower bound {boundUs[3]:0.00} µs (min {boundUs[0]:0.00}), reading /proc/meminfo {fullUs[3]:0.00} µs (min {fullUs[0]:0.00})"));
        Assert.Equal(6, boundUs.Count);
    }
}
