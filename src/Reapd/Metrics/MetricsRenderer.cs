namespace Reapd.Metrics;

/// <summary>
/// Renders a consistent copy of <see cref="DaemonMetrics"/> as a Prometheus text exposition (docs/metrics.md lists
/// every metric). One renderer per metrics thread: it owns its copy of the numbers and its output buffer, both reused.
/// Every labelled series is written from the start, at 0, so that rate() and increase() see the first event.
/// </summary>
internal sealed class MetricsRenderer
{
    private readonly DaemonMetrics _metrics;
    private readonly long[] _counters = new long[DaemonMetrics.CounterSlots];
    private readonly double[] _gauges = new double[DaemonMetrics.GaugeSlots];
    private readonly PrometheusWriter _writer = new();
    private readonly string[] _reapLabels;

    public MetricsRenderer(DaemonMetrics metrics)
    {
        _metrics = metrics;
        _reapLabels = new string[DaemonMetrics.ReapResults.Length];
        for (int i = 0; i < _reapLabels.Length; i++)
        {
            _reapLabels[i] = DaemonMetrics.ReapResults[i].ToString();
        }
    }

    /// <summary>The counter-change count of the state last rendered.</summary>
    public long CounterChanges { get; private set; }

    /// <summary>
    /// Renders the current state. <paramref name="fileWrites"/>: how many times the textfile has been written,
    /// this write included (null when rendering for a scrape).
    /// </summary>
    public ReadOnlySpan<byte> Render(long? fileWrites = null)
    {
        CounterChanges = _metrics.CopyTo(_counters, _gauges);
        PrometheusWriter w = _writer;
        w.Clear();

        w.Family("reapd_kills_total", "counter", "Signals delivered to a chosen victim, by signal and by the condition that decided it (grace-expired and kill-level-during-grace: the SIGKILL that follows a SIGTERM).");
        for (int i = 0; i < DaemonMetrics.KillSeries.Length; i++)
        {
            var series = DaemonMetrics.KillSeries[i];
            w.Sample("reapd_kills_total", [("signal", series.SignalLabel), ("reason", series.ReasonLabel)], _counters[DaemonMetrics.KillsAt + i]);
        }
        w.Family("reapd_dry_run_signals_total", "counter", "Signals a --dry-run reapd would have delivered to a chosen victim.");
        w.Sample("reapd_dry_run_signals_total", [("signal", "SIGTERM")], _counters[DaemonMetrics.DryRunSignalsAt]);
        w.Sample("reapd_dry_run_signals_total", [("signal", "SIGKILL")], _counters[DaemonMetrics.DryRunSignalsAt + 1]);
        w.Family("reapd_signal_failures_total", "counter", "Signals to a chosen victim that were not delivered: it was gone, its PID reused, not permitted, or a sharer of its memory may not be killed.");
        w.Sample("reapd_signal_failures_total", _counters[DaemonMetrics.SignalFailuresAt]);
        w.Family("reapd_reaps_total", "counter", "process_mrelease outcomes on the reaper thread, by result.");
        for (int i = 0; i < _reapLabels.Length; i++)
        {
            w.Sample("reapd_reaps_total", [("result", _reapLabels[i])], _counters[DaemonMetrics.ReapsAt + i]);
        }
        w.Family("reapd_settles_total", "counter", "Victims settled (no longer in flight), by reason.");
        for (int i = 0; i < DaemonMetrics.SettleReasons.Length; i++)
        {
            w.Sample("reapd_settles_total", [("reason", DaemonMetrics.SettleReasons[i].Label)], _counters[DaemonMetrics.SettlesAt + i]);
        }
        w.Family("reapd_wakeups_total", "counter", "Cycles of the decision loop, by what woke it (one cycle can count for several sources).");
        for (int i = 0; i < DaemonMetrics.WakeSources.Length; i++)
        {
            w.Sample("reapd_wakeups_total", [("source", DaemonMetrics.WakeSources[i].Label)], _counters[DaemonMetrics.WakeupsAt + i]);
        }
        w.Family("reapd_triggers_total", "counter", "Trigger events (a term or kill level reached, or a SIGTERMed victim escalated), by the condition that held: memory, swap, memory+swap, psi-full, psi-some.");
        for (int i = 0; i < DaemonMetrics.TriggerConditions.Length; i++)
        {
            w.Sample("reapd_triggers_total", [("condition", DaemonMetrics.TriggerConditions[i].Label)], _counters[DaemonMetrics.TriggersAt + i]);
        }
        w.Family("reapd_quiet_wakeups_total", "counter", "Cycles decided quiet on the proven lower bound of available memory, without reading /proc/meminfo.");
        w.Sample("reapd_quiet_wakeups_total", _counters[DaemonMetrics.QuietWakeupsAt]);
        w.Family("reapd_psi_reads_skipped_total", "counter", "Quiet cycles that left the pressure file unread: triggers watch every stall condition that can hold (the thrash condition only while swap is in use).");
        w.Sample("reapd_psi_reads_skipped_total", _counters[DaemonMetrics.PsiReadsSkippedAt]);
        w.Family("reapd_no_candidate_total", "counter", "Emergencies in which no process in scope could be chosen.");
        w.Sample("reapd_no_candidate_total", _counters[DaemonMetrics.NoCandidateAt]);
        w.Family("reapd_reap_slow_total", "counter", "Reaps that had not returned after 1 s (reap-slow events).");
        w.Sample("reapd_reap_slow_total", _counters[DaemonMetrics.ReapSlowAt]);
        w.Family("reapd_scans_total", "counter", "Scans of the scope's processes, by whether they read every process before the scan deadline.");
        w.Sample("reapd_scans_total", [("result", "complete")], _counters[DaemonMetrics.ScansCompleteAt]);
        w.Sample("reapd_scans_total", [("result", "partial")], _counters[DaemonMetrics.ScansPartialAt]);
        w.Family("reapd_scan_skipped_processes_total", "counter", "Processes left out of a scan because their /proc reads did not finish by the deadline (scan-partial events).");
        w.Sample("reapd_scan_skipped_processes_total", _counters[DaemonMetrics.ScanSkippedAt]);
        w.Family("reapd_events_dropped_total", "counter", "Event lines dropped because stdout did not keep up.");
        w.Sample("reapd_events_dropped_total", _counters[DaemonMetrics.EventsDroppedAt]);
        if (fileWrites is long writes)
        {
            w.Family("reapd_metrics_file_writes_total", "counter", "Times this file has been written, this write included.");
            w.Sample("reapd_metrics_file_writes_total", writes);
        }

        Gauge(w, "reapd_available_bytes", "Memory the guarded scope can still get without an OOM kill, at the last sample.", DaemonMetrics.AvailableBytes);
        Gauge(w, "reapd_list_credit_bytes", "Of reapd_available_bytes, what a recent victim freed that the kernel's per-CPU free lists still hold (MemAvailable leaves it out); 0 when nothing is added.", DaemonMetrics.ListCreditBytes);
        Gauge(w, "reapd_total_bytes", "The guarded scope's memory: MemTotal, or the cgroup's limit.", DaemonMetrics.TotalBytes);
        Gauge(w, "reapd_term_level_bytes", "Available memory at or below which the top candidate gets SIGTERM.", DaemonMetrics.TermLevelBytes);
        Gauge(w, "reapd_kill_level_bytes", "Available memory at or below which the top candidate gets SIGKILL and is reaped.", DaemonMetrics.KillLevelBytes);
        Gauge(w, "reapd_swap_free_bytes", "Free swap of the scope (0 without swap).", DaemonMetrics.SwapFreeBytes);
        Gauge(w, "reapd_swap_total_bytes", "Swap of the scope (0 without swap).", DaemonMetrics.SwapTotalBytes);
        Gauge(w, "reapd_psi_some_avg10_ratio", "Memory pressure of the scope: share of the last 10 s some task stalled on memory (the kernel's avg10).", DaemonMetrics.PsiSomeAvg10Ratio);
        Gauge(w, "reapd_psi_full_avg10_ratio", "Memory pressure of the scope: share of the last 10 s every non-idle task stalled on memory (the kernel's avg10).", DaemonMetrics.PsiFullAvg10Ratio);
        Gauge(w, "reapd_psi_full_window_ratio", "Share of the full-stall window spent fully stalled, from the exact counters (the full-stall kill condition compares it).", DaemonMetrics.PsiFullWindowRatio);
        Gauge(w, "reapd_victim_in_flight", "1 while a signalled victim has not settled (no other victim is chosen meanwhile), else 0.", DaemonMetrics.VictimInFlight);
        w.Family("reapd_info", "gauge", "Always 1: what reapd guards, and whether it only pretends (--dry-run).");
        w.Sample("reapd_info", [("scope", _metrics.Scope), ("dry_run", _metrics.DryRun ? "true" : "false")], 1L);
        w.Family("reapd_start_time_seconds", "gauge", "When reapd started, Unix time.");
        w.Sample("reapd_start_time_seconds", _metrics.StartTimeUnixSeconds);

        w.Family("reapd_threshold_to_sigkill_seconds", "histogram", "From the start of the cycle whose sample found the kill condition to the return of the victim's SIGKILL (scan and choice included).");
        w.Histogram("reapd_threshold_to_sigkill_seconds", DaemonMetrics.ThresholdToKillBucketsSeconds,
            _counters.AsSpan(DaemonMetrics.ThresholdToKillBucketsAt, DaemonMetrics.ThresholdToKillBucketsSeconds.Length + 1), _gauges[DaemonMetrics.ThresholdToKillSumSeconds]);
        w.Family("reapd_kill_to_memory_back_seconds", "histogram", "From a victim's SIGKILL to its settling because its memory is back (reaped, or it and its mm sharers exited).");
        w.Histogram("reapd_kill_to_memory_back_seconds", DaemonMetrics.KillToMemoryBackBucketsSeconds,
            _counters.AsSpan(DaemonMetrics.KillToMemoryBackBucketsAt, DaemonMetrics.KillToMemoryBackBucketsSeconds.Length + 1), _gauges[DaemonMetrics.KillToMemoryBackSumSeconds]);
        return w.Written;
    }

    /// <summary>A gauge family with its one sample; left out while the value is unknown in this scope (NaN).</summary>
    private void Gauge(PrometheusWriter w, string name, string help, int slot)
    {
        double value = _gauges[slot];
        if (double.IsNaN(value))
        {
            return;
        }
        w.Family(name, "gauge", help);
        w.Sample(name, value);
    }
}
