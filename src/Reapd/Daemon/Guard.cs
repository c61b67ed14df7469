using System.Diagnostics;
using Reapd.Core.Daemon;
using Reapd.Core.Proc;
using Reapd.Core.Selection;
using Reapd.Linux.Kill;
using Reapd.Linux.Proc;
using Reapd.Linux.Sensors;

namespace Reapd.Daemon;

/// <summary>
/// The daemon: sleeps on its wake set (PSI triggers, cgroup eventfds, the victim's pidfd, the stop eventfd) with
/// the adaptive interval as timeout, then runs one cycle: sense → settle → govern → (scan and rank only when a victim
/// must be chosen) → kill protocol → reap. A quiet cycle allocates nothing. Only the loop thread touches state;
/// the stop handler only sets a flag and signals an eventfd.
/// </summary>
internal sealed partial class Guard : IDisposable
{
    private const int MaxTopCandidatesLogged = 3;

    private readonly RunOptions _options;
    private readonly DaemonConfig _config;
    private readonly EventLog _log;
    private readonly IMemorySensor _sensor;
    private readonly SystemMemorySensor _system;
    private readonly CgroupTarget? _cgroup;
    private readonly CgroupV1Notifications? _v1Notifications;
    private readonly PsiTrigger? _psiSome;
    private readonly PsiTrigger? _psiFull;
    private readonly EventFdHandle _stopEvent;
    private readonly WakeSet _wake;
    private readonly int _stopSlot;
    private readonly int _victimSlot;
    private readonly int _psiSomeSlot = -1;
    private readonly int _psiFullSlot = -1;
    private readonly int _pressureEventSlot = -1;
    private readonly int _oomEventSlot = -1;
    private readonly Governor _governor;
    private readonly SettleGate _gate;
    private readonly CandidateSource _candidates;
    private readonly ProtectedNames _protectedNames;
    private readonly int _selfPid = Environment.ProcessId;
    private VictimId[] _rankedIds = new VictimId[64];

    private WakeOutcome _lastWakeProblem = WakeOutcome.Timeout;
    private volatile bool _stopRequested;
    private string _stopReason = "";
    private MemorySample _lastSample;
    private bool _haveSample;
    private bool _sensorFailing;
    private Victim? _victim;
    private ProcessName _victimName;
    private int _kills;
    private int _terms;
    private int _exitCode = ExitCodes.Ok;

    private Guard(RunOptions options, EventLog log, SystemMemorySensor system, IMemorySensor sensor, CgroupTarget? cgroup,
        CgroupV1Notifications? v1Notifications, PsiTrigger? psiSome, PsiTrigger? psiFull, EventFdHandle stopEvent)
    {
        _options = options;
        _config = options.Config;
        _log = log;
        _system = system;
        _sensor = sensor;
        _cgroup = cgroup;
        _v1Notifications = v1Notifications;
        _psiSome = psiSome;
        _psiFull = psiFull;
        _stopEvent = stopEvent;
        _governor = new Governor(_config);
        _gate = new SettleGate(_config);
        _candidates = new CandidateSource(cgroup?.Directory);
        _protectedNames = new ProtectedNames(_config.ProtectedNames);

        _wake = new WakeSet(8);
        _stopSlot = _wake.Add(stopEvent.Fd, WakeSet.Readable);
        _victimSlot = _wake.Add(-1, WakeSet.Readable);
        if (psiSome is not null)
        {
            _psiSomeSlot = _wake.Add(psiSome.Fd, WakeSet.Priority);
        }
        if (psiFull is not null)
        {
            _psiFullSlot = _wake.Add(psiFull.Fd, WakeSet.Priority);
        }
        if (v1Notifications?.Pressure is EventFdHandle pressure)
        {
            _pressureEventSlot = _wake.Add(pressure.Fd, WakeSet.Readable);
        }
        if (v1Notifications?.Oom is EventFdHandle oom)
        {
            _oomEventSlot = _wake.Add(oom.Fd, WakeSet.Readable);
        }
    }

    public Governor Governor => _governor;

    public SettleGate Gate => _gate;

    public string Scope => _sensor.Description;

    /// <summary>
    /// Opens everything `reapd run` needs. On failure returns null with one line and the exit code
    /// (NotFound for a missing cgroup, Failed for anything the kernel refused).
    /// </summary>
    public static Guard? TryCreate(RunOptions options, EventLog log, out string? error, out int exitCode)
    {
        error = null;
        exitCode = ExitCodes.Ok;
        if (SystemMemorySensor.TryOpen(out SystemMemorySensor? system) != Linux.Proc.ProcReadOutcome.Ok)
        {
            error = "cannot read /proc/meminfo";
            exitCode = ExitCodes.Failed;
            return null;
        }
        CgroupTarget? cgroup = null;
        IMemorySensor sensor = system!;
        CgroupV1Notifications? notifications = null;
        if (options.CgroupPath is not null)
        {
            cgroup = CgroupLocator.Resolve(options.CgroupPath, out error);
            if (cgroup is null)
            {
                system!.Dispose();
                exitCode = ExitCodes.NotFound;
                return null;
            }
            Linux.Proc.ProcReadOutcome opened;
            if (cgroup.Version == CgroupVersion.V1)
            {
                opened = CgroupV1MemorySensor.TryOpen(cgroup.Directory, system, out CgroupV1MemorySensor? v1);
                sensor = v1!;
                if (opened == Linux.Proc.ProcReadOutcome.Ok)
                {
                    notifications = CgroupV1Notifications.Register(cgroup.Directory, out string? problems);
                    if (problems is not null)
                    {
                        log.Begin("warning"u8, EventLog.Warning).Field("what"u8, "cgroup v1 notifications").Field("detail"u8, problems).End();
                    }
                }
            }
            else
            {
                opened = CgroupV2MemorySensor.TryOpen(cgroup.Directory, system, out CgroupV2MemorySensor? v2);
                sensor = v2!;
            }
            if (opened != Linux.Proc.ProcReadOutcome.Ok)
            {
                system!.Dispose();
                error = $"cannot open the memory files of cgroup {cgroup.Directory}: {opened}";
                exitCode = ExitCodes.Failed;
                return null;
            }
        }

        PsiTrigger? some = null, full = null;
        if (sensor.PressurePath is string pressurePath)
        {
            // An early wake-up: 10 % of a 1 s window stalled (2 s and 20 % of it where the kernel wants 2 s multiples).
            ArmPsi(log, pressurePath, PsiStallKind.Some, 100_000, 1_000_000, out some);
            if (options.Config.PsiFullPercent is double fullPercent)
            {
                long windowUs = options.Config.PsiFullWindowMs * 1000;
                ArmPsi(log, pressurePath, PsiStallKind.Full, (long)(windowUs * fullPercent / 100), windowUs, out full);
            }
        }

        EventFdHandle? stop = EventFdHandle.Create(out int errno);
        if (stop is null)
        {
            some?.Dispose();
            full?.Dispose();
            notifications?.Dispose();
            if (!ReferenceEquals(sensor, system))
            {
                sensor.Dispose();
            }
            system!.Dispose();
            error = $"cannot create an eventfd (errno {errno})";
            exitCode = ExitCodes.Failed;
            return null;
        }
        return new Guard(options, log, system!, sensor, cgroup, notifications, some, full, stop);
    }

    private static void ArmPsi(EventLog log, string path, PsiStallKind kind, long thresholdUs, long windowUs, out PsiTrigger? trigger)
    {
        PsiTriggerOutcome outcome = PsiTrigger.TryArm(path, kind, thresholdUs, windowUs, out trigger, out int errno);
        if (outcome != PsiTriggerOutcome.Armed)
        {
            log.Begin("warning"u8, EventLog.Warning).Field("what"u8, kind == PsiStallKind.Some ? "psi some trigger" : "psi full trigger")
                .Field("result"u8, outcome.ToString()).Field("errno"u8, errno).Field("path"u8, path).End();
        }
    }

    /// <summary>Asks the loop to stop (from a signal handler: sets a flag and wakes the poll; allocation-free).</summary>
    public void RequestStop(string reason)
    {
        _stopReason = reason;
        _stopRequested = true;
        _stopEvent.Signal();
    }

    public bool StopRequested => _stopRequested;

    /// <summary>
    /// Warm-up before locking memory: a few cycles and one scan, so buffers and arrays have their working size and
    /// every code page of the hot path is mapped; then mlockall, own oom_score_adj and priority; then the start event.
    /// </summary>
    public void Start(bool protectSelf)
    {
        for (int i = 0; i < 3; i++)
        {
            RunCycle(Wake.Start);
        }
        if (_haveSample)
        {
            _ = _candidates.Scan(RankingFor(_lastSample), out _);
        }
        string locked = "skipped", adj = "skipped", nice = "skipped";
        if (protectSelf)
        {
            adj = SelfProtection.LowerOomScoreAdj();
            nice = SelfProtection.RaisePriority();
            locked = SelfProtection.LockMemory();
        }
        EventLog line = _log.Begin("start"u8, EventLog.Notice)
            .Field("pid"u8, _selfPid)
            .Field("scope"u8, _sensor.Description)
            .Field("term_pct"u8, _config.TermPercent, 2)
            .Field("kill_pct"u8, _config.KillPercent, 2)
            .Field("grace_ms"u8, _config.GraceMs)
            .Field("settle_timeout_ms"u8, _config.SettleTimeoutMs)
            .Field("psi_full"u8, _sensor.PressurePath is null ? "off (no PSI in this scope)" : _config.PsiFullPercent is double p ? $"{p:0.##}% of {_config.PsiFullWindowMs / 1000}s" : "off")
            .Field("psi_triggers"u8, Describe(_psiSome, _psiFull))
            .Field("cgroup_events"u8, _v1Notifications is null ? "none" : $"vmpressure {(_v1Notifications.Pressure is null ? "failed" : CgroupV1Notifications.PressureLevelArgument)}, oom {(_v1Notifications.Oom is null ? "failed" : "armed")}")
            .Field("mlock"u8, locked)
            .Field("oom_score_adj"u8, adj)
            .Field("priority"u8, nice)
            .Field("dry_run"u8, _config.DryRun);
        if (_haveSample)
        {
            line.Field("available_mib"u8, Mib(_lastSample.AvailableBytes), 1).Field("total_mib"u8, Mib(_lastSample.TotalBytes), 1);
        }
        line.End();
    }

    /// <summary>Runs until a stop is requested. Returns the exit code.</summary>
    public int Loop()
    {
        while (!_stopRequested)
        {
            RunOnce(NextTimeoutMs());
        }
        LogStop();
        return _exitCode;
    }

    /// <summary>One monitor cycle: wait up to <paramref name="timeoutMs"/> for a wake-up, then sense, decide, act.</summary>
    public void RunOnce(int timeoutMs)
    {
        WakeOutcome waited = _wake.Wait(timeoutMs, out _);
        if (waited is WakeOutcome.InvalidFd or WakeOutcome.Failed && waited != _lastWakeProblem)
        {
            // Reported once per change, not once per (immediate) return of a broken poll.
            _log.Begin("warning"u8, EventLog.Error).Field("what"u8, "wake").Field("result"u8, waited.ToString())
                .Field("slot"u8, _wake.InvalidSlot).Field("errno"u8, _wake.LastErrno).End();
        }
        _lastWakeProblem = waited;
        Wake wake = waited == WakeOutcome.Ready ? CollectWakes() : Wake.Timer;
        if (_stopRequested)
        {
            return;
        }
        RunCycle(wake);
    }

    /// <summary>How long the next wait may be: the adaptive interval, cut short by the grace or settle deadline.</summary>
    public int NextTimeoutMs()
    {
        if (!_haveSample || _sensorFailing)
        {
            return _sensorFailing ? _config.MaxIntervalMs : _config.InFlightIntervalMs;
        }
        int interval = AdaptiveInterval.NextMs(_lastSample, _config, _governor.TermLevelBytes(_lastSample), _governor.KillLevelBytes(_lastSample), _gate.Phase);
        long deadline = _gate.MsUntilDeadline(MonotonicClock.NowMs);
        return (int)Math.Clamp(Math.Min(interval, deadline), 0, interval);
    }

    private Wake CollectWakes()
    {
        Wake wake = Wake.None;
        if ((_wake.Fired(_stopSlot) & WakeSet.Readable) != 0)
        {
            _stopEvent.Drain();
            wake |= Wake.Stop;
        }
        if (_wake.Fired(_victimSlot) != 0)
        {
            // Readable (and HUP once reaped) stays set: stop polling it, the gate now knows.
            _gate.VictimGone(MonotonicClock.NowMs);
            _wake.Set(_victimSlot, -1);
            wake |= Wake.VictimExit;
        }
        if ((_psiSomeSlot >= 0 && _wake.Fired(_psiSomeSlot) != 0) || (_psiFullSlot >= 0 && _wake.Fired(_psiFullSlot) != 0))
        {
            wake |= Wake.Psi;
        }
        if (_pressureEventSlot >= 0 && _wake.Fired(_pressureEventSlot) != 0)
        {
            _v1Notifications!.Pressure!.Drain();
            wake |= Wake.CgroupEvent;
        }
        if (_oomEventSlot >= 0 && _wake.Fired(_oomEventSlot) != 0)
        {
            _v1Notifications!.Oom!.Drain();
            wake |= Wake.CgroupEvent;
        }
        return wake == Wake.None ? Wake.Timer : wake;
    }

    /// <summary>Sense → settle → govern → act. Allocation-free unless a victim must be chosen or signalled.</summary>
    public void RunCycle(Wake wake)
    {
        if (!_sensor.TryRead(MonotonicClock.NowMs, out MemorySample sample))
        {
            if (!_sensorFailing)
            {
                _sensorFailing = true;
                _log.Begin("warning"u8, EventLog.Error).Field("what"u8, "sensor").Field("detail"u8, "cannot read " + _sensor.Description).End();
            }
            if (_cgroup is not null && !Directory.Exists(_cgroup.Directory))
            {
                // The guarded cgroup is gone: nothing left to guard.
                _exitCode = ExitCodes.NotFound;
                RequestStop("cgroup removed");
            }
            return;
        }
        _sensorFailing = false;
        _lastSample = sample;
        _haveSample = true;

        PressureLevel level = _governor.Assess(sample);
        if (_gate.Phase != VictimPhase.None)
        {
            SettleVerdict verdict = _gate.Evaluate(sample, level == PressureLevel.None);
            if (verdict.Kind == SettleVerdictKind.Settled)
            {
                OnSettled(verdict);
            }
        }

        GovernorDecision decision = _governor.Decide(level, sample.TimeMs, _gate.Status);
        switch (decision.Kind)
        {
            case DecisionKind.Terminate or DecisionKind.Kill:
                LogTrigger(decision, sample, wake);
                ChooseAndSignal(decision, sample);
                break;
            case DecisionKind.Escalate:
                LogTrigger(decision, sample, wake);
                Escalate(decision, sample);
                break;
        }
    }

    private RankingScope RankingFor(in MemorySample sample) =>
        RankingScopes.For(_cgroup, sample, _system.TryReadMemInfo(out MemInfo info) ? info : null, _selfPid, _protectedNames);

    private void ChooseAndSignal(GovernorDecision decision, in MemorySample sample)
    {
        long scanStart = Stopwatch.GetTimestamp();
        ReadOnlySpan<Candidate> ranked = ScanAndRank(sample, out int candidateCount);
        SignalBest(decision, sample, ranked, candidateCount, scanStart);
    }

    /// <summary>Scans the scope and fills _rankedIds: the candidates come first, best first, so ids and ranked share indexes.</summary>
    private ReadOnlySpan<Candidate> ScanAndRank(in MemorySample sample, out int candidateCount)
    {
        ScanOutcome scanned = _candidates.Scan(RankingFor(sample), out ReadOnlySpan<Candidate> ranked);
        if (scanned != ScanOutcome.Complete)
        {
            _log.Begin("warning"u8, EventLog.Error).Field("what"u8, "scan").Field("result"u8, scanned.ToString()).Field("read"u8, ranked.Length).End();
        }
        candidateCount = CandidateRanking.CountCandidates(ranked);
        if (_rankedIds.Length < candidateCount)
        {
            _rankedIds = new VictimId[Math.Max(candidateCount, _rankedIds.Length * 2)];
        }
        for (int i = 0; i < candidateCount; i++)
        {
            _rankedIds[i] = new VictimId(ranked[i].Pid, ranked[i].StartTimeTicks);
        }
        return ranked;
    }

    private void SignalBest(GovernorDecision decision, in MemorySample sample, ReadOnlySpan<Candidate> ranked, int candidateCount, long scanStart)
    {
        Choice choice = _governor.Choose(_rankedIds.AsSpan(0, candidateCount), _gate.Exclusions, sample.TimeMs);
        double scanMs = MonotonicClock.ElapsedMs(scanStart);
        if (!choice.Found)
        {
            LogNoCandidate(ranked, candidateCount, choice, scanMs);
            return;
        }
        Candidate chosen = ranked[choice.Index];
        LogChoice(ranked, candidateCount, choice, decision, scanMs);
        var id = new VictimId(chosen.Pid, chosen.StartTimeTicks);
        long heldBytes = HeldBytes(chosen);
        _victimName = chosen.Name;

        if (_config.DryRun)
        {
            LogSignal(id, decision.Kind == DecisionKind.Terminate ? "SIGTERM"u8 : "SIGKILL"u8, "dry-run", null);
            if (decision.Kind == DecisionKind.Terminate)
            {
                _gate.Terminated(id, heldBytes, sample);
            }
            else
            {
                _gate.Killed(id, heldBytes, sample);
            }
            return;
        }

        VictimOpenOutcome opened = Victim.TryOpen(id.Pid, id.StartTimeTicks, _candidates.Reader, out Victim? victim, _selfPid, _protectedNames);
        if (opened != VictimOpenOutcome.Confirmed)
        {
            LogSignal(id, decision.Kind == DecisionKind.Terminate ? "SIGTERM"u8 : "SIGKILL"u8, opened.ToString(), opened.Describe());
            // A process that vanished or whose pid was reused is simply not there at the next scan; anything else
            // would be chosen again and again: exclude it.
            if (opened is not (VictimOpenOutcome.Gone or VictimOpenOutcome.PidReused))
            {
                _gate.Exclusions.Add(id);
            }
            return;
        }
        _victim = victim;
        SharerSearchOutcome sharers = victim!.FindSharers(_candidates.Reader, out _);
        if (sharers == SharerSearchOutcome.VictimGone)
        {
            LogSignal(id, "SIGTERM"u8, "Gone", "the victim exited before it was signalled");
            DropVictim();
            return;
        }
        if (sharers == SharerSearchOutcome.SharerExcluded)
        {
            // A sharer of its mm may never be killed, so its memory cannot come back: exclude it; the next cycle
            // chooses another, as the kernel skips such an mm.
            LogSignal(id, decision.Kind == DecisionKind.Terminate ? "SIGTERM"u8 : "SIGKILL"u8, sharers.ToString(),
                $"{sharers.Describe()}: pid {victim.ExcludedSharer?.Pid} ({victim.ExcludedSharer?.Reason.Describe()})");
            _gate.Exclusions.Add(id);
            DropVictim();
            return;
        }
        if (decision.Kind == DecisionKind.Terminate)
        {
            SignalOutcome outcome = victim.Terminate();
            LogSignal(id, "SIGTERM"u8, outcome.ToString(), null);
            if (outcome == SignalOutcome.Sent)
            {
                _terms++;
                _gate.Terminated(id, heldBytes, sample);
                _wake.Set(_victimSlot, victim.PidFdNumber);
                return;
            }
            FailedSignal(id, outcome);
            return;
        }
        _gate.Killed(id, heldBytes, sample);
        KillAndReap(id, sample);
    }

    private void Escalate(GovernorDecision decision, in MemorySample sample)
    {
        if (decision.Reason == DecisionReason.KillLevelDuringGrace && TryRetarget(decision, sample))
        {
            return;
        }
        VictimId id = _gate.Victim;
        if (_config.DryRun || _victim is null)
        {
            LogSignal(id, "SIGKILL"u8, _config.DryRun ? "dry-run" : "NoVictimHandle", null);
            _gate.Killed(id, _gate.HeldBytes, sample);
            return;
        }
        _gate.Killed(id, _gate.HeldBytes, sample);
        KillAndReap(id, sample);
    }

    /// <summary>
    /// The kill level came during a SIGTERM grace: rank afresh, and if someone has outgrown the SIGTERMed victim while
    /// it gives no memory back (Governor.ShouldRetarget), release that victim (its SIGTERM is not followed up) and
    /// SIGKILL the new top candidate instead, so the one kill is the right one.
    /// </summary>
    private bool TryRetarget(GovernorDecision decision, in MemorySample sample)
    {
        long scanStart = Stopwatch.GetTimestamp();
        ReadOnlySpan<Candidate> ranked = ScanAndRank(sample, out int candidateCount);
        VictimId terminated = _gate.Victim;
        long heldNowBytes = -1;
        for (int i = 0; i < candidateCount; i++)
        {
            if (_rankedIds[i] == terminated)
            {
                heldNowBytes = HeldBytes(ranked[i]);
                break;
            }
        }
        if (!Governor.ShouldRetarget(terminated, _gate.HeldBytes, heldNowBytes, _rankedIds.AsSpan(0, candidateCount), _gate.Exclusions))
        {
            return false;
        }
        LogRelease(terminated, _gate.HeldBytes, heldNowBytes);
        _gate.Abandon(exclude: false);
        DropVictim();
        SignalBest(decision with { Kind = DecisionKind.Kill }, sample, ranked, candidateCount, scanStart);
        return true;
    }

    /// <summary>SIGKILL through the pidfds (victim and mm sharers), then process_mrelease at once, inline (kernel.md B.6).</summary>
    private void KillAndReap(VictimId id, in MemorySample before)
    {
        Victim victim = _victim!;
        SignalOutcome outcome = victim.Kill(_candidates.Reader);
        LogSignal(id, "SIGKILL"u8, outcome.ToString(), null);
        if (outcome != SignalOutcome.Sent)
        {
            FailedSignal(id, outcome);
            return;
        }
        _kills++;
        // The one reap orchestration (retries, core dump, late sharers), inline until the reaper thread takes it.
        ReapResult reaped = Reaper.Run(victim, _candidates.Reader, ReapSettings.Default, CancellationToken.None);
        ReapOutcome reap = reaped.Outcome;
        double reapMs = reaped.DurationMs;
        long now = MonotonicClock.NowMs;
        _gate.ReapReturned(ToObservation(reap), now);
        bool exited = victim.HasExited;
        if (exited)
        {
            _gate.VictimGone(now);
        }
        else
        {
            _wake.Set(_victimSlot, victim.PidFdNumber);
        }
        MemorySample after = before;
        if (_sensor.TryRead(now, out MemorySample fresh))
        {
            after = fresh;
            _lastSample = fresh;
        }
        LogReap(id, reap, reaped.Attempts, reapMs, after.AvailableBytes - before.AvailableBytes, exited);
        // The reading right after the reap often already shows the memory back: settle now rather than a cycle later.
        SettleVerdict verdict = _gate.Evaluate(after, _governor.Assess(after) == PressureLevel.None);
        if (verdict.Kind == SettleVerdictKind.Settled)
        {
            OnSettled(verdict);
        }
    }

    private void FailedSignal(VictimId id, SignalOutcome outcome)
    {
        if (outcome == SignalOutcome.AlreadyReaped)
        {
            // Gone before the signal landed: its memory is back already; nothing is in flight.
            _gate.Abandon(exclude: false);
        }
        else
        {
            _gate.Exclusions.Add(id);
            _gate.Abandon(exclude: true);
        }
        DropVictim();
    }

    private void OnSettled(in SettleVerdict verdict)
    {
        if (verdict.Reason == SettleReason.StuckInMmput)
        {
            LogStuck(verdict);
        }
        LogSettle(verdict);
        _governor.VictimSettled();
        DropVictim();
    }

    /// <summary>
    /// What a victim holds that its kill gives back (anonymous memory and page tables; file and shmem pages stay,
    /// kernel.md C.3). One measure for the settle gate's "half of what it held" and the retarget's "still 90 %".
    /// </summary>
    private static long HeldBytes(in Candidate candidate) => (candidate.RssAnonKiB + candidate.PageTablesKiB) * 1024;

    private void DropVictim()
    {
        _wake.Set(_victimSlot, -1);
        _victim?.Dispose();
        _victim = null;
    }

    private static ReapObservation ToObservation(ReapOutcome outcome) => outcome switch
    {
        ReapOutcome.Reaped => ReapObservation.Released,
        ReapOutcome.AlreadyExiting => ReapObservation.NoMm,
        ReapOutcome.NotDyingOrShared or ReapOutcome.CoreDumping => ReapObservation.Refused,
        ReapOutcome.NotSupported => ReapObservation.Unsupported,
        ReapOutcome.NotAttempted => ReapObservation.NotAttempted,
        _ => ReapObservation.Failed,
    };

    private static string Describe(PsiTrigger? some, PsiTrigger? full)
    {
        if (some is null && full is null)
        {
            return "none";
        }
        return string.Join(", ", new[] { some?.ToString(), full?.ToString() }.Where(s => s is not null));
    }

    private static double Mib(long bytes) => bytes / 1048576.0;

    public void Dispose()
    {
        DropVictim();
        _wake.Dispose();
        _stopEvent.Dispose();
        _psiSome?.Dispose();
        _psiFull?.Dispose();
        _v1Notifications?.Dispose();
        if (!ReferenceEquals(_sensor, _system))
        {
            _sensor.Dispose();
        }
        _system.Dispose();
    }
}
