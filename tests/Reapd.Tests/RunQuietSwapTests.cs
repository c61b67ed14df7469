using System.Diagnostics;
using System.Text.Json;
using Reapd.Testing;

namespace Reapd.Tests;

/// <summary>
/// The published reapd in system scope on this machine, whose root lacks CAP_SYS_RESOURCE: the kernel widens the 1 s
/// PSI triggers to 2 s, so none covers the 1 s thrash condition, and quiet wake-ups leave the pressure file unread only
/// while no swap is in use (docs/daemon.md, "Idle cost"). A zram device of the test's own is swapped on with nothing
/// in it, then a hog in a 64 MiB child memory cgroup pushes 64 MiB or more into it, then the hog ends and its swap is
/// freed. Counted in the daemon's own metrics (reapd_psi_reads_skipped_total against reapd_quiet_wakeups_total),
/// never timed. Skipped with the reason where the triggers cover the thrash condition anyway (then swap does not
/// matter), without root, zram, PSI or the v1 memory controller, or when swap not the test's is in use.
/// </summary>
public sealed class RunQuietSwapTests
{
    private const long MiB = 1L << 20;
    private const int WaitMs = 60_000;

    [Fact]
    public void Quiet_wake_ups_skip_the_pressure_file_while_no_swap_is_in_use_and_read_it_while_swap_is_in_use()
    {
        Root.Require();
        Assert.SkipUnless(File.Exists("/proc/pressure/memory"), "needs PSI (/proc/pressure/memory)");
        using TestZramSwap swap = TestZramSwap.Create(256 * MiB);
        Assert.SkipUnless(TestZramSwap.UsedBytes() == 0, $"swap not this test's is in use on this machine ({TestZramSwap.UsedBytes() / MiB} MiB)");
        using TestCgroup cgroup = TestCgroup.Create(64 * MiB, "quietswap");
        cgroup.SwapOn();
        using RunDaemon daemon = RunDaemon.Start("--dry-run", "--metrics-listen", "127.0.0.1:0");
        JsonElement start = daemon.Named("start").Single();
        string psiReads = start.GetProperty("psi_reads").GetString()!;
        Assert.SkipUnless(psiReads.Contains("no swap is in use", StringComparison.Ordinal),
            $"on this machine the pressure file's reads do not depend on swap (psi_reads: {psiReads}; psi_triggers: {start.GetProperty("psi_triggers").GetString()})");
        var scrape = new Scraper(start.GetProperty("metrics_listen").GetString()!);

        // A swap device with every slot free is no swap in use: quiet wake-ups skip the file.
        double skipped = Counts(scrape).Skipped;
        WaitUntil(scrape, c => c.Skipped >= skipped + 3, "quiet wake-ups to skip the pressure file with no swap in use");

        // 128 MiB in a 64 MiB group: the rest goes to the test's zram device (the only swap, at the top priority).
        using (HelperProcess hog = RunHogs.Start(cgroup, 128))
        {
            hog.WaitForLine(" ready ");
            Assert.True(TestZramSwap.UsedBytes() > 0, "the hog is ready but nothing was swapped out");
            (skipped, double quiet) = Counts(scrape);
            // Swap stays in use (the hog sleeps, its pages stay out): every quiet wake-up reads the file. One cycle may
            // have taken its sysinfo reading before the swap-out the test saw.
            (double skippedLater, double quietLater) = WaitUntil(scrape, c => c.Quiet >= quiet + 5, "five quiet wake-ups with swap in use");
            Assert.True(skippedLater <= skipped + 1, $"{skippedLater - skipped} of {quietLater - quiet} quiet wake-ups skipped the pressure file with {TestZramSwap.UsedBytes() / MiB} MiB of swap in use");
            Assert.True(TestZramSwap.UsedBytes() > 0, "the hog's pages came back from swap during the test");
        }

        // The hog gone, its swap slots are freed: quiet wake-ups skip the file again.
        WaitUntilSwapFree();
        skipped = Counts(scrape).Skipped;
        WaitUntil(scrape, c => c.Skipped >= skipped + 3, "quiet wake-ups to skip the pressure file again once no swap is in use");
        daemon.StopCleanly();
    }

    private static (double Skipped, double Quiet) Counts(Scraper scrape)
    {
        Exposition e = scrape.Get();
        return (e.Value("reapd_psi_reads_skipped_total"), e.Value("reapd_quiet_wakeups_total"));
    }

    /// <summary>Scrapes (bounded) until <paramref name="done"/>; the daemon wakes about once a second when idle.</summary>
    private static (double Skipped, double Quiet) WaitUntil(Scraper scrape, Func<(double Skipped, double Quiet), bool> done, string what)
    {
        var clock = Stopwatch.StartNew();
        (double Skipped, double Quiet) counts;
        while (!done(counts = Counts(scrape)))
        {
            Assert.True(clock.ElapsedMilliseconds < WaitMs, $"waited {WaitMs} ms for {what}: {counts.Skipped} skipped of {counts.Quiet} quiet wake-ups");
            Thread.Sleep(250);
        }
        return counts;
    }

    private static void WaitUntilSwapFree()
    {
        var clock = Stopwatch.StartNew();
        while (TestZramSwap.UsedBytes() > 0)
        {
            Assert.True(clock.ElapsedMilliseconds < WaitMs, $"{TestZramSwap.UsedBytes() / MiB} MiB of swap still in use after the hog ended");
            Thread.Sleep(100);
        }
    }

    /// <summary>GET /metrics from reapd's listener, parsed.</summary>
    private sealed class Scraper(string address)
    {
        private static readonly HttpClient s_http = new() { Timeout = TimeSpan.FromSeconds(10) };

        public Exposition Get()
        {
            using HttpResponseMessage response = s_http.GetAsync($"http://{address}/metrics").GetAwaiter().GetResult();
            Assert.True(response.IsSuccessStatusCode, $"GET /metrics: {(int)response.StatusCode}");
            return Exposition.Parse(response.Content.ReadAsStringAsync().GetAwaiter().GetResult());
        }
    }
}
