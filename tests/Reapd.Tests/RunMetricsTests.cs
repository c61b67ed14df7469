using System.Globalization;
using System.Text.Json;
using Reapd.Testing;

namespace Reapd.Tests;

/// <summary>
/// The published reapd guarding a real child v1 memory cgroup with its metrics on (--metrics-file in a temporary
/// textfile directory, --metrics-listen on a kernel-chosen loopback port): a real kill seen by a real Prometheus,
/// through both paths; and the textfile left alone while nothing changes. Skipped with the reason when not root,
/// without the v1 memory controller, or without Debian's prometheus and prometheus-node-exporter.
/// </summary>
public sealed class RunMetricsTests
{
    private const long MiB = 1L << 20;

    [Fact]
    public void A_kill_shows_up_in_Prometheus_through_the_listener_and_through_node_exporters_textfile_collector()
    {
        PrometheusRig.RequireBinaries();
        using TestCgroup cgroup = TestCgroup.Create(512 * MiB, "metrics1");
        using var directory = new TempDirectory();
        string file = Path.Combine(directory.Path, "reapd.prom");
        using RunDaemon daemon = RunDaemon.Start("--cgroup", cgroup.Path, "--metrics-file", file, "--metrics-listen", "127.0.0.1:0");
        string listen = daemon.Named("start").Single().GetProperty("metrics_listen").GetString()!;
        using PrometheusRig prometheus = PrometheusRig.Start(listen, directory.Path);
        // Both jobs scraped at least once before the kill, so increase() has a 0 to start from.
        prometheus.QueryUntil("reapd_kills_total{signal=\"SIGKILL\",reason=\"kill-level\"}", v => v.Count == 2 && v.All(s => s.Value == 0));

        using HelperProcess hog = RunHogs.Start(cgroup, 1024, rateMiBPerSecond: 1024);
        JsonElement settle = daemon.WaitFor("settle", e => e.GetProperty("pid").GetInt32() == hog.Pid);
        Assert.True(hog.WaitForExit(10_000), "the hog is still alive");
        int sigkills = daemon.Named("signal").Count(e => e.GetProperty("signal").GetString() == "SIGKILL" && e.GetProperty("result").GetString() == "Sent");
        Assert.Equal(1, sigkills);

        // The query an operator would alert on: kills in the last 5 minutes, from each path.
        var increase = prometheus.QueryUntil("sum by (job) (increase(reapd_kills_total{signal=\"SIGKILL\"}[5m]))",
            v => v.Count == 2 && v.All(s => s.Value >= 0.5));
        Assert.Equal(["node", "reapd"], increase.Select(s => s.Labels["job"]).Order());
        // One SIGKILL, counted under the condition that decided it (the kill level, reached during the SIGTERM grace
        // the hog ignores, or at once when one sample jumps past both levels).
        prometheus.QueryUntil("sum by (job) (reapd_kills_total{signal=\"SIGKILL\"}) == 1", v => v.Count == 2);
        string reason = settle.GetProperty("reason").GetString()!;
        Assert.Contains(reason, new[] { "reaped", "exited" });
        prometheus.QueryUntil($"reapd_settles_total{{reason=\"{reason}\"}} == 1", v => v.Count == 2);
        prometheus.QueryUntil("reapd_threshold_to_sigkill_seconds_count == 1 and reapd_kill_to_memory_back_seconds_count == 1", v => v.Count == 2);
        prometheus.QueryUntil("reapd_victim_in_flight == 0", v => v.Count == 2);
        daemon.StopCleanly();

        // The last write at the stop holds the final counters.
        Exposition final = Exposition.Parse(File.ReadAllText(file));
        Assert.Equal(1, final.Named("reapd_kills_total").Where(k => k.Labels["signal"] == "SIGKILL").Sum(k => k.Value));
        Assert.False(File.Exists(file + ".tmp"), "the temporary file was left behind");
    }

    [Fact]
    public void The_textfile_is_not_rewritten_while_nothing_changes_and_is_when_available_memory_moves()
    {
        using TestCgroup cgroup = TestCgroup.Create(256 * MiB, "metrics2");
        using var directory = new TempDirectory();
        string file = Path.Combine(directory.Path, "reapd.prom");
        using RunDaemon daemon = RunDaemon.Start("--cgroup", cgroup.Path, "--metrics-file", file, "--metrics-listen", "127.0.0.1:0");
        var scrape = new Scraper(daemon.Named("start").Single().GetProperty("metrics_listen").GetString()!);

        // The thread's first write (the state after the warm-up) carries the first sample.
        Exposition written = WaitForFile(file, e => e.Named("reapd_available_bytes").Any());
        double writes = written.Value("reapd_metrics_file_writes_total");
        var before = new FileInfo(file);
        long inode = Inode(file);
        double timerWakes = scrape.Get().Value("reapd_wakeups_total", ("source", "timer"));

        // Idle: the loop samples (in a cgroup this small, every few ms: the adaptive interval follows the headroom
        // in bytes) and renders on every scrape, but nothing moves, so nothing is written. The window is counted in
        // the loop's own wake-ups and lasts past the longest pause between two writes (GaugeIntervalMs), so a file
        // rewritten for mere samples would be caught here; the test asserts no duration.
        var window = System.Diagnostics.Stopwatch.StartNew();
        Exposition now;
        do
        {
            Thread.Sleep(500);
            now = scrape.Get();
        }
        while (now.Value("reapd_wakeups_total", ("source", "timer")) < timerWakes + 20
            || window.ElapsedMilliseconds < Metrics.MetricsFile.GaugeIntervalMs + 2000);
        Assert.Equal(inode, Inode(file));
        Assert.Equal(before.LastWriteTimeUtc, new FileInfo(file).LastWriteTimeUtc);
        Assert.Equal(writes, Exposition.Parse(File.ReadAllText(file)).Value("reapd_metrics_file_writes_total"));
        Assert.Equal(0, now.Value("reapd_kills_total", ("signal", "SIGKILL"), ("reason", "kill-level")));

        // 64 MiB taken from 256 MiB moves available memory by a quarter of the total: far past the 1 % step.
        double availableBefore = written.Value("reapd_available_bytes");
        using HelperProcess hog = RunHogs.Start(cgroup, 64);
        hog.WaitForLine(" ready ");
        // The first step past 1 % is written at once (the last write is long ago); the rest of the hog's ramp follows
        // within the 10 s gauge interval.
        Exposition after = WaitForFile(file, e => e.Value("reapd_available_bytes") < availableBefore - 48 * MiB);
        Assert.NotEqual(inode, Inode(file));
        Assert.True(after.Value("reapd_metrics_file_writes_total") > writes);
        Assert.Empty(daemon.Named("signal"));
        daemon.StopCleanly();
    }

    [Fact]
    public void The_textfile_is_readable_by_node_exporters_user_even_under_umask_077()
    {
        using var directory = new TempDirectory();
        string file = Path.Combine(directory.Path, "reapd.prom");
        // As the shipped unit runs it (UMask=0077); node_exporter reads the file as its own user.
        var psi = new System.Diagnostics.ProcessStartInfo("/bin/sh", ["-c", "umask 077; exec \"$0\" run --dry-run --json --metrics-file \"$1\"", PublishedReapd.BinaryPath, file])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var reapd = System.Diagnostics.Process.Start(psi)!;
        try
        {
            WaitForFile(file, e => e.Named("reapd_available_bytes").Any());
            Assert.Equal("644", Stat(file, "%a"));
        }
        finally
        {
            _ = RunSignals.Send(reapd.Id, 15);
            Assert.True(reapd.WaitForExit(15_000), "reapd did not stop on SIGTERM");
        }
        Assert.Equal(0, reapd.ExitCode);
    }

    [Fact]
    public void A_symlink_planted_at_the_temporary_name_is_never_written_through()
    {
        using var directory = new TempDirectory();
        using var elsewhere = new TempDirectory();
        string file = Path.Combine(directory.Path, "reapd.prom");
        // The textfile directory is often writable by node_exporter's user; whoever can write there could plant a link
        // at the temporary name towards a file of root's.
        string target = Path.Combine(elsewhere.Path, "roots-file");
        File.WriteAllText(target, "not metrics\n");
        if (OperatingSystem.IsLinux())
        {
            File.SetUnixFileMode(target, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        File.CreateSymbolicLink(file + ".tmp", target);

        using RunDaemon daemon = RunDaemon.Start("--dry-run", "--metrics-file", file);
        WaitForFile(file, e => e.Named("reapd_available_bytes").Any());
        Assert.Equal("not metrics\n", File.ReadAllText(target));
        Assert.Equal("600", Stat(target, "%a"));
        Assert.False(File.Exists(file + ".tmp") && new FileInfo(file + ".tmp").LinkTarget is not null, "the planted link is still there");
        daemon.StopCleanly();
    }

    /// <summary>Waits (bounded) until the file parses and satisfies <paramref name="accept"/>.</summary>
    private static Exposition WaitForFile(string file, Func<Exposition, bool> accept, int timeoutMs = 30_000)
    {
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        string text = "";
        while (deadline.ElapsedMilliseconds < timeoutMs)
        {
            // The rename is atomic: a reader sees the old file or the new one, never a part.
            if (File.Exists(file))
            {
                text = File.ReadAllText(file);
                Exposition e = Exposition.Parse(text);
                if (accept(e))
                {
                    return e;
                }
            }
            Thread.Sleep(200);
        }
        Assert.Fail($"{file} never became what the test waits for within {timeoutMs} ms:\n{text}");
        return null!;
    }

    /// <summary>The rename of a new temporary file gives the path a new inode; an untouched file keeps it.</summary>
    private static long Inode(string path) => long.Parse(Stat(path, "%i"), CultureInfo.InvariantCulture);

    private static string Stat(string path, string format)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("stat", ["-c", format, path]) { RedirectStandardOutput = true };
        using var stat = System.Diagnostics.Process.Start(psi)!;
        string output = stat.StandardOutput.ReadToEnd();
        stat.WaitForExit();
        return output.Trim();
    }

    /// <summary>GET /metrics from reapd's listener, parsed.</summary>
    private sealed class Scraper(string address)
    {
        private static readonly HttpClient s_http = new() { Timeout = TimeSpan.FromSeconds(10) };

        public Exposition Get()
        {
            using HttpResponseMessage response = s_http.GetAsync($"http://{address}/metrics").GetAwaiter().GetResult();
            Assert.True(response.IsSuccessStatusCode, $"GET /metrics: {(int)response.StatusCode}");
            Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
            return Exposition.Parse(response.Content.ReadAsStringAsync().GetAwaiter().GetResult());
        }
    }

    private sealed class TempDirectory : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("reapd-metrics.").FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
