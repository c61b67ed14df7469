using System.Diagnostics;
using Reapd.Core.Daemon;
using Reapd.Core.Decision;
using Reapd.Daemon;
using Reapd.Linux.Kill;
using Reapd.Linux.Sensors;

namespace Reapd.Metrics;

/// <summary>
/// The daemon's Prometheus counters, gauges and histograms as plain numbers in two preallocated arrays, written by the
/// loop thread only (allocation-free: a quiet cycle stays at 0 bytes) and copied out by the metrics threads.
/// <para>
/// The copy is consistent through a sequence lock: the loop makes <see cref="_version"/> odd, writes, and makes it even
/// again; a reader copies the arrays between two reads of an equal, even version and retries otherwise. The loop never
/// waits for a reader. A change that matters (a counter moved, or a gauge moved by more than its step, see
/// docs/metrics.md) also signals <see cref="Changed"/>, the eventfd the textfile writer sleeps on; the eventfd is
/// written only when the writer has taken the previous signal, so a burst of changes costs one write.
/// </para>
/// </summary>
internal sealed class DaemonMetrics
{
    /// <summary>A moved gauge counts as a change only when available memory moved by this share of the total...</summary>
    public const double AvailableStepFraction = 0.01;

    /// <summary>...or a PSI 10 s average by this many percentage points.</summary>
    public const double PsiStepPercent = 1.0;

    public static readonly double[] ThresholdToKillBucketsSeconds = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

    public static readonly double[] KillToMemoryBackBucketsSeconds = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    /// <summary>The (signal, reason) pairs a victim's signal can have: SIGTERM only at the term level, SIGKILL otherwise.</summary>
    public static readonly (KillSignal Signal, DecisionReason Reason, string SignalLabel, string ReasonLabel)[] KillSeries =
    [
        (KillSignal.SigTerm, DecisionReason.TermLevel, "SIGTERM", "term-level"),
        (KillSignal.SigKill, DecisionReason.KillLevel, "SIGKILL", "kill-level"),
        (KillSignal.SigKill, DecisionReason.PsiFullStall, "SIGKILL", "psi-full-stall"),
        (KillSignal.SigKill, DecisionReason.PsiSomeStall, "SIGKILL", "psi-some-stall"),
        (KillSignal.SigKill, DecisionReason.Thrash, "SIGKILL", "thrash"),
        (KillSignal.SigKill, DecisionReason.GraceExpired, "SIGKILL", "grace-expired"),
        (KillSignal.SigKill, DecisionReason.KillLevelDuringGrace, "SIGKILL", "kill-level-during-grace"),
    ];

    /// <summary>The conditions a trigger can name (the trigger event's condition field).</summary>
    public static readonly (PressureCondition Condition, string Label)[] TriggerConditions =
    [
        (PressureCondition.Memory, "memory"),
        (PressureCondition.Swap, "swap"),
        (PressureCondition.MemoryAndSwap, "memory+swap"),
        (PressureCondition.PsiFull, "psi-full"),
        (PressureCondition.PsiSome, "psi-some"),
        (PressureCondition.Thrash, "thrash"),
    ];

    public static readonly ReapOutcome[] ReapResults = Enum.GetValues<ReapOutcome>();

    public static readonly (SettleCause Cause, string Label)[] SettleReasons =
    [
        (SettleCause.Reaped, "reaped"),
        (SettleCause.ReapedShmemExit, "reaped-shmem-exit"),
        (SettleCause.Exited, "exited"),
        (SettleCause.StuckInMmput, "stuck-in-mmput"),
        (SettleCause.Timeout, "timeout"),
        (SettleCause.DryRun, "dry-run"),
    ];

    /// <summary>A stop request ends the loop before its cycle runs, so it is no source here.</summary>
    public static readonly (Wake Source, string Label)[] WakeSources =
    [
        (Wake.Timer, "timer"),
        (Wake.Psi, "psi"),
        (Wake.CgroupEvent, "cgroup-event"),
        (Wake.VictimExit, "victim-exit"),
        (Wake.Reaper, "reaper"),
        (Wake.Start, "start"),
    ];

    // Layout of the counter array (long): the series above, then single counters, then each histogram's buckets
    // (one per bound, not cumulative, then one for +Inf).
    public static readonly int KillsAt = 0;
    public static readonly int DryRunSignalsAt = KillsAt + KillSeries.Length; // SIGTERM, SIGKILL
    public static readonly int SignalFailuresAt = DryRunSignalsAt + 2;
    public static readonly int ReapsAt = SignalFailuresAt + 1;
    public static readonly int SettlesAt = ReapsAt + ReapResults.Length;
    public static readonly int WakeupsAt = SettlesAt + SettleReasons.Length;
    public static readonly int NoCandidateAt = WakeupsAt + WakeSources.Length;
    public static readonly int ReapSlowAt = NoCandidateAt + 1;
    public static readonly int EventsDroppedAt = ReapSlowAt + 1;
    public static readonly int ScansCompleteAt = EventsDroppedAt + 1;
    public static readonly int ScansPartialAt = ScansCompleteAt + 1;
    public static readonly int ScanSkippedAt = ScansPartialAt + 1;
    public static readonly int TriggersAt = ScanSkippedAt + 1;
    public static readonly int QuietWakeupsAt = TriggersAt + TriggerConditions.Length;
    public static readonly int PsiReadsSkippedAt = QuietWakeupsAt + 1;
    public static readonly int ThresholdToKillBucketsAt = PsiReadsSkippedAt + 1;
    public static readonly int KillToMemoryBackBucketsAt = ThresholdToKillBucketsAt + ThresholdToKillBucketsSeconds.Length + 1;
    public static readonly int CounterSlots = KillToMemoryBackBucketsAt + KillToMemoryBackBucketsSeconds.Length + 1;

    // Layout of the gauge array (double). NaN: not known in this scope (not rendered).
    public const int AvailableBytes = 0;
    public const int TotalBytes = 1;
    public const int TermLevelBytes = 2;
    public const int KillLevelBytes = 3;
    public const int SwapFreeBytes = 4;
    public const int SwapTotalBytes = 5;
    public const int PsiSomeAvg10Ratio = 6;
    public const int PsiFullAvg10Ratio = 7;
    public const int PsiFullWindowRatio = 8;
    public const int VictimInFlight = 9;
    public const int ThresholdToKillSumSeconds = 10;
    public const int KillToMemoryBackSumSeconds = 11;
    public const int ListCreditBytes = 12;
    public const int GaugeSlots = 13;

    private readonly long[] _counters = new long[CounterSlots];
    private readonly double[] _gauges = new double[GaugeSlots];
    private DaemonConfig _config;
    private int _version;
    // Bumped (inside the lock) whenever a counter moves, so a reader can tell counter changes from gauge moves.
    private long _counterChanges;

    // Loop thread only.
    private long _cycleStartTimestamp;
    private long _killDecisionTimestamp;
    private long _killSentTimestamp;
    private DecisionReason _lastTriggerReason;
    private double _availableAtLastChange = double.NaN;
    private double _psiSomeAtLastChange;
    private double _psiFullAtLastChange;
    private bool _inFlightAtLastChange;
    private long _droppedAtLastChange;
    // 1 from the loop's signal until the textfile writer takes it (see the class comment).
    private int _changeSignalled;

    public DaemonMetrics(DaemonConfig config, string scope)
    {
        _config = config;
        Scope = scope;
        _gauges.AsSpan().Fill(double.NaN);
        _gauges[ThresholdToKillSumSeconds] = 0;
        _gauges[KillToMemoryBackSumSeconds] = 0;
        StartTimeUnixSeconds = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() / 1000.0;
    }

    public string Scope { get; }

    public bool DryRun => _config.DryRun;

    /// <summary>A reload: the next cycle's term and kill levels come from <paramref name="config"/> (loop thread; dry run never changes).</summary>
    public void Reconfigure(DaemonConfig config) => _config = config;

    public double StartTimeUnixSeconds { get; }

    /// <summary>Signalled on a change that matters; null when nothing waits for changes (no textfile).</summary>
    public EventFdHandle? Changed { get; set; }

    /// <summary>
    /// Copies a consistent state into the arrays given (sized <see cref="CounterSlots"/> and <see cref="GaugeSlots"/>);
    /// returns the counter-change count. Any thread.
    /// </summary>
    public long CopyTo(long[] counters, double[] gauges)
    {
        var spin = new SpinWait();
        while (true)
        {
            int before = Volatile.Read(ref _version);
            if ((before & 1) == 0)
            {
                _counters.AsSpan().CopyTo(counters);
                _gauges.AsSpan().CopyTo(gauges);
                long changes = _counterChanges;
                Interlocked.MemoryBarrier();
                if (Volatile.Read(ref _version) == before)
                {
                    return changes;
                }
            }
            spin.SpinOnce();
        }
    }

    /// <summary>How many times a counter has moved (any thread).</summary>
    public long CounterChanges => Volatile.Read(ref _counterChanges);

    /// <summary>The textfile writer took the signal: the next change signals again.</summary>
    public void ChangeTaken() => Volatile.Write(ref _changeSignalled, 0);

    // ---- loop thread ----

    /// <summary>Right before the cycle's sample is read: the start of a threshold→SIGKILL measurement.</summary>
    public void CycleStarted() => _cycleStartTimestamp = Stopwatch.GetTimestamp();

    /// <summary>Each cycle after its commands ran: the wake sources, the gauges and the dropped event lines.</summary>
    /// <param name="psiReadSkipped">The cycle was quiet and left the pressure file unread (docs/daemon.md, "Idle cost").</param>
    public void CycleDone(Wake wake, in MemorySample sample, bool inFlight, long eventsDroppedTotal, bool psiReadSkipped = false)
    {
        BeginWrite();
        for (int i = 0; i < WakeSources.Length; i++)
        {
            if ((wake & WakeSources[i].Source) != 0)
            {
                _counters[WakeupsAt + i]++;
            }
        }
        _counters[EventsDroppedAt] = eventsDroppedTotal;
        if (sample.AvailableIsLowerBound)
        {
            // A quiet wake-up decided on the lower bound: the gauge keeps the last exact MemAvailable (re-read at least
            // every few seconds, docs/daemon.md "Idle cost"), so a dashboard does not see the bound's dip.
            _counters[QuietWakeupsAt]++;
            if (psiReadSkipped)
            {
                _counters[PsiReadsSkippedAt]++;
            }
        }
        else
        {
            _gauges[AvailableBytes] = sample.AvailableBytes;
            _gauges[ListCreditBytes] = sample.ListCreditBytes;
        }
        _gauges[TotalBytes] = sample.TotalBytes;
        _gauges[TermLevelBytes] = PressureAssessment.TermLevelBytes(sample, _config);
        _gauges[KillLevelBytes] = PressureAssessment.KillLevelBytes(sample, _config);
        _gauges[SwapFreeBytes] = sample.SwapFreeBytes;
        _gauges[SwapTotalBytes] = sample.SwapTotalBytes;
        if (sample.Psi.Present)
        {
            _gauges[PsiSomeAvg10Ratio] = sample.Psi.SomeAvg10 / 100;
            _gauges[PsiFullAvg10Ratio] = sample.Psi.FullAvg10 / 100;
            _gauges[PsiFullWindowRatio] = sample.PsiFullWindowPercent >= 0 ? sample.PsiFullWindowPercent / 100 : double.NaN;
        }
        _gauges[VictimInFlight] = inFlight ? 1 : 0;
        EndWrite();

        // Wake-ups are counted but are no change of their own: an idle daemon wakes once a second and must not
        // rewrite the textfile for it.
        double stepBytes = Math.Max(sample.TotalBytes * AvailableStepFraction, 1 << 20);
        double available = _gauges[AvailableBytes];
        if (double.IsNaN(_availableAtLastChange)
            || Math.Abs(available - _availableAtLastChange) >= stepBytes
            || (sample.Psi.Present && (Math.Abs(sample.Psi.SomeAvg10 - _psiSomeAtLastChange) >= PsiStepPercent
                || Math.Abs(sample.Psi.FullAvg10 - _psiFullAtLastChange) >= PsiStepPercent))
            || inFlight != _inFlightAtLastChange
            || eventsDroppedTotal != _droppedAtLastChange)
        {
            _availableAtLastChange = available;
            _psiSomeAtLastChange = sample.Psi.SomeAvg10;
            _psiFullAtLastChange = sample.Psi.FullAvg10;
            _inFlightAtLastChange = inFlight;
            _droppedAtLastChange = eventsDroppedTotal;
            SignalChange();
        }
    }

    public void Triggered(in DecisionReport report)
    {
        _lastTriggerReason = report.Reason;
        for (int i = 0; i < TriggerConditions.Length; i++)
        {
            if (TriggerConditions[i].Condition == report.Condition)
            {
                BeginWrite();
                _counters[TriggersAt + i]++;
                EndWrite(counterMoved: true);
            }
        }
        // A SIGTERM decision starts no SIGKILL measurement and ends any left from a SIGKILL that was never delivered.
        _killDecisionTimestamp = report.Decision == DecisionKind.Terminate ? 0 : _cycleStartTimestamp;
    }

    /// <summary>A signal event: <paramref name="result"/> is the outcome's name ("Sent", "dry-run", "sharers", ...).</summary>
    public void Signalled(KillSignal signal, string result)
    {
        if (result == "sharers")
        {
            // The SIGKILL of a victim's mm sharers after the victim itself exited: no new kill of a victim.
            return;
        }
        BeginWrite();
        if (result == nameof(SignalOutcome.Sent))
        {
            for (int i = 0; i < KillSeries.Length; i++)
            {
                if (KillSeries[i].Signal == signal && KillSeries[i].Reason == _lastTriggerReason)
                {
                    _counters[KillsAt + i]++;
                }
            }
            if (signal == KillSignal.SigKill)
            {
                _killSentTimestamp = Stopwatch.GetTimestamp();
                if (_killDecisionTimestamp != 0)
                {
                    Observe(ThresholdToKillBucketsAt, ThresholdToKillBucketsSeconds, ThresholdToKillSumSeconds, Seconds(_killDecisionTimestamp, _killSentTimestamp));
                    _killDecisionTimestamp = 0;
                }
            }
        }
        else if (result == "dry-run")
        {
            _counters[DryRunSignalsAt + (signal == KillSignal.SigTerm ? 0 : 1)]++;
        }
        else
        {
            _counters[SignalFailuresAt]++;
        }
        EndWrite(counterMoved: true);
    }

    public void Reaped(ReapOutcome outcome)
    {
        BeginWrite();
        int index = Array.IndexOf(ReapResults, outcome);
        if (index >= 0)
        {
            _counters[ReapsAt + index]++;
        }
        EndWrite(counterMoved: true);
    }

    public void Settled(SettleCause cause)
    {
        BeginWrite();
        for (int i = 0; i < SettleReasons.Length; i++)
        {
            if (SettleReasons[i].Cause == cause)
            {
                _counters[SettlesAt + i]++;
            }
        }
        // Memory back: the kernel said so (reaped) or the victim and its sharers exited. A timeout or a stuck exit
        // gave nothing back and is no observation.
        if (_killSentTimestamp != 0 && cause is SettleCause.Reaped or SettleCause.ReapedShmemExit or SettleCause.Exited)
        {
            Observe(KillToMemoryBackBucketsAt, KillToMemoryBackBucketsSeconds, KillToMemoryBackSumSeconds, Seconds(_killSentTimestamp, Stopwatch.GetTimestamp()));
        }
        _killSentTimestamp = 0;
        EndWrite(counterMoved: true);
    }

    public void NoCandidate() => Count(NoCandidateAt);

    public void ReapSlow() => Count(ReapSlowAt);

    /// <summary>A scan answered: whole or partial, and the processes it skipped (their reads did not finish in time).</summary>
    public void Scanned(bool complete, int skipped)
    {
        BeginWrite();
        _counters[complete ? ScansCompleteAt : ScansPartialAt]++;
        _counters[ScanSkippedAt] += skipped;
        EndWrite(counterMoved: true);
    }

    private void Count(int slot)
    {
        BeginWrite();
        _counters[slot]++;
        EndWrite(counterMoved: true);
    }

    private void Observe(int bucketsAt, double[] bounds, int sumSlot, double seconds)
    {
        int bucket = bounds.Length;
        for (int i = 0; i < bounds.Length; i++)
        {
            if (seconds <= bounds[i])
            {
                bucket = i;
                break;
            }
        }
        _counters[bucketsAt + bucket]++;
        _gauges[sumSlot] += seconds;
    }

    private static double Seconds(long fromTimestamp, long toTimestamp) => (toTimestamp - fromTimestamp) / (double)Stopwatch.Frequency;

    private void SignalChange()
    {
        if (Changed is EventFdHandle changed && Volatile.Read(ref _changeSignalled) == 0)
        {
            Volatile.Write(ref _changeSignalled, 1);
            changed.Signal();
        }
    }

    private void BeginWrite()
    {
        Volatile.Write(ref _version, _version + 1);
        // The odd version must be visible before any of the writes that follow it.
        Interlocked.MemoryBarrier();
    }

    private void EndWrite(bool counterMoved = false)
    {
        if (counterMoved)
        {
            Volatile.Write(ref _counterChanges, _counterChanges + 1);
        }
        Volatile.Write(ref _version, _version + 1);
        if (counterMoved)
        {
            SignalChange();
        }
    }
}
