using System.Diagnostics;
using System.Text;
using Reapd.Core.Daemon;
using Reapd.Core.Decision;
using Reapd.Daemon;
using Reapd.Linux.Kill;
using Reapd.Linux.Sensors;
using Reapd.Metrics;

namespace Reapd.Tests;

/// <summary>
/// The Prometheus text exposition reapd renders, parsed back by a strict reader (<see cref="Exposition"/>) and by
/// Prometheus's own promtool; and the loop-side rule for what counts as a change worth rewriting the textfile.
/// </summary>
public sealed class MetricsFormatTests
{
    private const long MiB = 1L << 20;

    [Fact]
    public void A_rendered_exposition_parses_back_with_every_family_typed_and_the_values_the_loop_counted()
    {
        DaemonMetrics metrics = Metrics("cgroup v1 /sys/fs/cgroup/memory/x");
        metrics.CycleStarted();
        metrics.CycleDone(Wake.Timer | Wake.Psi, Sample(400 * MiB, 512 * MiB, psi: true) with { ListCreditBytes = 96 * MiB }, inFlight: false, eventsDroppedTotal: 3);
        Kill(metrics, DecisionReason.KillLevel, SettleCause.Reaped);
        metrics.Triggered(new DecisionReport(ReportKind.Trigger, Decision: DecisionKind.Terminate, Reason: DecisionReason.TermLevel));
        metrics.Signalled(KillSignal.SigTerm, "Sent");
        metrics.Signalled(KillSignal.SigKill, "Gone");
        metrics.Reaped(ReapOutcome.AlreadyExiting);
        metrics.NoCandidate();

        Exposition e = Exposition.Parse(Render(metrics));

        Assert.Equal(1, e.Value("reapd_kills_total", ("signal", "SIGKILL"), ("reason", "kill-level")));
        Assert.Equal(1, e.Value("reapd_kills_total", ("signal", "SIGTERM"), ("reason", "term-level")));
        Assert.Equal(0, e.Value("reapd_kills_total", ("signal", "SIGKILL"), ("reason", "psi-full-stall")));
        Assert.Equal(1, e.Value("reapd_signal_failures_total"));
        Assert.Equal(1, e.Value("reapd_reaps_total", ("result", "Reaped")));
        Assert.Equal(1, e.Value("reapd_reaps_total", ("result", "AlreadyExiting")));
        Assert.Equal(1, e.Value("reapd_settles_total", ("reason", "reaped")));
        Assert.Equal(1, e.Value("reapd_wakeups_total", ("source", "timer")));
        Assert.Equal(1, e.Value("reapd_wakeups_total", ("source", "psi")));
        Assert.Equal(0, e.Value("reapd_wakeups_total", ("source", "reaper")));
        Assert.Equal(1, e.Value("reapd_no_candidate_total"));
        Assert.Equal(3, e.Value("reapd_events_dropped_total"));
        Assert.Equal(400 * MiB, e.Value("reapd_available_bytes"));
        Assert.Equal(96 * MiB, e.Value("reapd_list_credit_bytes"));
        Assert.Equal(512 * MiB, e.Value("reapd_total_bytes"));
        Assert.Equal((long)(512 * MiB * 0.10), e.Value("reapd_term_level_bytes"));
        Assert.Equal((long)(512 * MiB * 0.05), e.Value("reapd_kill_level_bytes"));
        Assert.Equal(0.125, e.Value("reapd_psi_some_avg10_ratio"));
        Assert.Equal(0.025, e.Value("reapd_psi_full_avg10_ratio"));
        Assert.Equal(1, e.Value("reapd_threshold_to_sigkill_seconds_count"));
        Assert.Equal(1, e.Value("reapd_kill_to_memory_back_seconds_count"));
        Assert.Equal(1, e.Value("reapd_info", ("scope", "cgroup v1 /sys/fs/cgroup/memory/x"), ("dry_run", "false")));
        // Every series of every family has a HELP and a TYPE; counters end in _total.
        foreach ((string family, string type) in e.Types)
        {
            Assert.True(e.Help.ContainsKey(family));
            Assert.Equal(type == "counter", family.EndsWith("_total", StringComparison.Ordinal));
        }
        Assert.All(e.Samples, s => Assert.True(e.Types.ContainsKey(s.Name) || e.Types[s.Name[..s.Name.LastIndexOf('_')]] == "histogram"));
    }

    [Fact]
    public void Every_labelled_series_is_there_at_zero_before_anything_happened_so_increase_sees_the_first_kill()
    {
        Exposition e = Exposition.Parse(Render(Metrics("system")));

        Assert.Equal(DaemonMetrics.KillSeries.Length, e.Named("reapd_kills_total").Count());
        Assert.Equal(DaemonMetrics.ReapResults.Length, e.Named("reapd_reaps_total").Count());
        Assert.Equal(DaemonMetrics.SettleReasons.Length, e.Named("reapd_settles_total").Count());
        Assert.All(e.Samples.Where(s => s.Name.EndsWith("_total", StringComparison.Ordinal)), s => Assert.Equal(0, s.Value));
        // Before the first sample the gauges are unknown and left out rather than shown as 0.
        Assert.Empty(e.Named("reapd_available_bytes"));
    }

    [Fact]
    public void Label_values_and_help_text_are_escaped_and_read_back_unchanged()
    {
        const string hostile = "a\"b\\c\nd \U0001F427 }{,=";
        var writer = new PrometheusWriter();
        writer.Family("x_total", "counter", "help with \\ backslash\nand a newline \"quoted\"");
        writer.Sample("x_total", [("path", hostile), ("empty", "")], 7L);
        string text = Encoding.UTF8.GetString(writer.Written);

        Assert.Contains("x_total{path=\"a\\\"b\\\\c\\nd \U0001F427 }{,=\",empty=\"\"} 7\n", text);
        Exposition e = Exposition.Parse(text);
        Assert.Equal(hostile, e.Samples.Single().Labels["path"]);
        Assert.Equal("", e.Samples.Single().Labels["empty"]);
        Assert.Equal("help with \\ backslash\nand a newline \"quoted\"", e.Help["x_total"]);

        // A scope path is the one label value reapd does not choose itself.
        Exposition info = Exposition.Parse(Render(Metrics(hostile)));
        Assert.Equal(hostile, info.Named("reapd_info").Single().Labels["scope"]);
    }

    [Fact]
    public void Histogram_buckets_are_cumulative_and_the_Inf_bucket_equals_the_count()
    {
        var writer = new PrometheusWriter();
        writer.Family("h_seconds", "histogram", "h");
        writer.Histogram("h_seconds", [0.001, 0.01, 0.1], [1, 0, 2, 3], 12.5);
        Exposition e = Exposition.Parse(Encoding.UTF8.GetString(writer.Written));

        Assert.Equal([1.0, 1, 3, 6], e.Named("h_seconds_bucket").Select(s => s.Value));
        Assert.Equal(["0.001", "0.01", "0.1", "+Inf"], e.Named("h_seconds_bucket").Select(s => s.Labels["le"]));
        Assert.Equal(6, e.Value("h_seconds_count"));
        Assert.Equal(12.5, e.Value("h_seconds_sum"));

        // The daemon's own: three kills, whatever their latencies, land in cumulative buckets ending at the count.
        DaemonMetrics metrics = Metrics("system");
        for (int i = 0; i < 3; i++)
        {
            Kill(metrics, DecisionReason.PsiFullStall, SettleCause.Exited);
        }
        e = Exposition.Parse(Render(metrics));
        foreach (string name in new[] { "reapd_threshold_to_sigkill_seconds", "reapd_kill_to_memory_back_seconds" })
        {
            double[] buckets = e.Named(name + "_bucket").Select(s => s.Value).ToArray();
            Assert.Equal(buckets.Order(), buckets);
            Assert.Equal(3, buckets[^1]);
            Assert.Equal("+Inf", e.Named(name + "_bucket").Last().Labels["le"]);
            Assert.Equal(3, e.Value(name + "_count"));
            Assert.True(e.Value(name + "_sum") > 0);
        }
        Assert.Equal(3, e.Value("reapd_kills_total", ("signal", "SIGKILL"), ("reason", "psi-full-stall")));
    }

    [Fact]
    public void A_settle_without_memory_back_is_no_kill_to_memory_back_observation()
    {
        DaemonMetrics metrics = Metrics("system");
        Kill(metrics, DecisionReason.KillLevel, SettleCause.Timeout);
        Kill(metrics, DecisionReason.KillLevel, SettleCause.StuckInMmput);
        Exposition e = Exposition.Parse(Render(metrics));

        Assert.Equal(2, e.Value("reapd_threshold_to_sigkill_seconds_count"));
        Assert.Equal(0, e.Value("reapd_kill_to_memory_back_seconds_count"));
        Assert.Equal(1, e.Value("reapd_settles_total", ("reason", "timeout")));
        Assert.Equal(1, e.Value("reapd_settles_total", ("reason", "stuck-in-mmput")));
    }

    [Fact]
    public void The_rendered_exposition_passes_promtool_check_metrics()
    {
        Assert.SkipUnless(File.Exists("/usr/bin/promtool"), "needs promtool (Debian's prometheus package)");
        DaemonMetrics metrics = Metrics("cgroup v2 /sys/fs/cgroup/a \"b\"");
        metrics.CycleDone(Wake.Timer, Sample(100 * MiB, 200 * MiB, psi: true), inFlight: true, eventsDroppedTotal: 0);
        Kill(metrics, DecisionReason.KillLevel, SettleCause.Reaped);

        (int code, string output) = CheckWithPromtool(Render(metrics));
        Assert.True(code == 0, $"promtool check metrics: exit {code}\n{output}");
        Assert.Equal("", output);
    }

    /// <summary>promtool check metrics: parses the exposition as Prometheus does and lints names, types and help.</summary>
    private static (int Code, string Output) CheckWithPromtool(string exposition)
    {
        var psi = new ProcessStartInfo("/usr/bin/promtool", ["check", "metrics"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var promtool = Process.Start(psi)!;
        promtool.StandardInput.Write(exposition);
        promtool.StandardInput.Close();
        var stderr = promtool.StandardError.ReadToEndAsync();
        string stdout = promtool.StandardOutput.ReadToEnd();
        Assert.True(promtool.WaitForExit(30_000), "promtool did not exit");
        return (promtool.ExitCode, stdout + stderr.Result);
    }

    [Fact]
    public void An_idle_loop_signals_no_change_but_a_counter_or_a_step_of_available_memory_does()
    {
        DaemonMetrics metrics = Metrics("system");
        using EventFdHandle changed = EventFdHandle.Create(out _)!;
        metrics.Changed = changed;

        metrics.CycleDone(Wake.Timer, Sample(10_000 * MiB, 20_000 * MiB, psi: true), false, 0);
        Assert.Equal(1ul, Take(metrics, changed));

        // A thousand quiet cycles: memory jitters below the step (1 % of the total), PSI below 1 point.
        for (int i = 0; i < 1000; i++)
        {
            long jitter = (i % 7 - 3) * 20 * MiB;
            metrics.CycleDone(Wake.Timer, Sample(10_000 * MiB + jitter, 20_000 * MiB, psi: true, psiSome: 12.5 + i % 3 * 0.3), false, 0);
        }
        Assert.Equal(0ul, Take(metrics, changed));
        Assert.Equal(0, metrics.CounterChanges);

        metrics.CycleDone(Wake.Timer, Sample(9_790 * MiB, 20_000 * MiB, psi: true), false, 0);
        Assert.Equal(1ul, Take(metrics, changed));
        metrics.CycleDone(Wake.Psi, Sample(9_790 * MiB, 20_000 * MiB, psi: true, psiSome: 14), false, 0);
        Assert.Equal(1ul, Take(metrics, changed));

        // A burst of counter moves before the writer takes the signal costs one eventfd write.
        Kill(metrics, DecisionReason.KillLevel, SettleCause.Reaped);
        Assert.Equal(1ul, Take(metrics, changed));
        Assert.Equal(3, metrics.CounterChanges);
    }

    private static ulong Take(DaemonMetrics metrics, EventFdHandle changed)
    {
        ulong signals = changed.Drain();
        metrics.ChangeTaken();
        return signals;
    }

    private static DaemonMetrics Metrics(string scope) => new(new DaemonConfig(), scope);

    private static MemorySample Sample(long availableBytes, long totalBytes, bool psi, double psiSome = 12.5) =>
        new(0, availableBytes, totalBytes, 0, 0, psi ? new PsiReading(true, 1000, 100, psiSome, 2.5) : PsiReading.None);

    /// <summary>One kill as the loop reports it: trigger, SIGKILL sent, reap answered, settled.</summary>
    private static void Kill(DaemonMetrics metrics, DecisionReason reason, SettleCause cause)
    {
        metrics.CycleStarted();
        metrics.Triggered(new DecisionReport(ReportKind.Trigger, Decision: DecisionKind.Kill, Reason: reason));
        metrics.Signalled(KillSignal.SigKill, "Sent");
        metrics.Reaped(ReapOutcome.Reaped);
        metrics.Settled(cause);
    }

    private static string Render(DaemonMetrics metrics) => Encoding.UTF8.GetString(new MetricsRenderer(metrics).Render());
}
