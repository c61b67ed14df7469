using System.Globalization;
using System.Text.Json;
using Reapd.Testing;

namespace Reapd.Tests;

/// <summary>
/// The real NativeAOT binary guarding a 512 MiB v1 cgroup in which 10 000 short-lived processes start and exit
/// (tests/native/churn.c, 32 alive at a time, each living 1–4 ms) while hog after hog fills the cgroup below the kill
/// level: each hog is a scan, a choice and a kill in the middle of the churn. Every churner records how it ended.
/// </summary>
public sealed class RunScanChurnTests
{
    private const long MiB = 1L << 20;
    private const int Churners = 10_000;

    [Fact]
    public void Under_a_churn_of_ten_thousand_processes_only_the_chosen_hogs_are_signalled_and_every_scan_is_reported()
    {
        using TestCgroup cgroup = TestCgroup.Create(512 * MiB, "scanchurn");
        long kernelKillsBefore = cgroup.KernelOomKills;
        using RunDaemon daemon = RunDaemon.Start("--cgroup", cgroup.Path, "--term-percent", "25", "--kill-percent", "15", "--grace", "60s");
        using HelperProcess churn = HelperProcess.Start("churn",
            ["--count", Churners.ToString(CultureInfo.InvariantCulture), "--parallel", "32", "--cgroup-procs", Path.Combine(cgroup.Path, "cgroup.procs")]);
        churn.WaitForLine(" start");

        // Hog after hog (440 MiB, oom_score_adj 1000) while the churn lasts: each one takes the cgroup below the kill level (15 %).
        var hogs = new List<int>();
        while (!churn.HasExited && hogs.Count < 40)
        {
            using HelperProcess hog = RunHogs.Start(cgroup, 440);
            hogs.Add(hog.Pid);
            daemon.WaitFor("settle", e => Pid(e) == hog.Pid);
            Assert.True(hog.WaitForExit(10_000), $"hog {hog.Pid} is still alive after its settle");
        }
        string done = churn.WaitForLine(" done ", 120_000);
        Assert.True(churn.WaitForExit(10_000));
        daemon.StopCleanly();

        // "churn <pid> done <N> exited <E> signalled <S> signals <list>": every churner exited by itself.
        string[] words = done.Split(' ');
        Assert.Equal(Churners, int.Parse(words[3], CultureInfo.InvariantCulture));
        Assert.Equal(Churners, int.Parse(words[5], CultureInfo.InvariantCulture));
        Assert.Equal("0", words[7]);

        // Only the chosen hogs were chosen and signalled; each hog was; no exception, no warning; the kernel never killed.
        Assert.True(hogs.Count >= 2, $"only {hogs.Count} hog(s) ran during the churn");
        Assert.All(daemon.Named("choice"), e => Assert.Contains(Pid(e), hogs));
        Assert.All(daemon.Named("signal"), e => Assert.Contains(Pid(e), hogs));
        Assert.All(hogs, h => Assert.Contains(daemon.Named("signal"), e => Pid(e) == h && e.GetProperty("result").GetString() == "Sent"));
        Assert.DoesNotContain(daemon.Events, e => e.GetProperty("event").GetString() is "warning" or "no-candidate");
        Assert.DoesNotContain("Exception", daemon.Stderr, StringComparison.Ordinal);
        Assert.Equal(kernelKillsBefore, cgroup.KernelOomKills);

        // Scan time: reported on every choice (and in a scan-partial event when a scan was cut at the deadline).
        List<double> scanMs = [.. daemon.Named("choice").Select(e => e.GetProperty("scan_ms").GetDouble()).Order()];
        Assert.True(scanMs.Count >= hogs.Count, $"{scanMs.Count} choice events for {hogs.Count} hogs");
        int partial = daemon.Named("scan-partial").Count;
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"churn of {Churners} processes: {hogs.Count} hogs chosen and killed; scan_ms min {scanMs[0]:F3} median {scanMs[scanMs.Count / 2]:F3} max {scanMs[^1]:F3}; partial scans {partial}; churners signalled {words[7]}");
    }

    private static int Pid(JsonElement e) => e.TryGetProperty("pid", out JsonElement p) ? p.GetInt32() : 0;
}
