using Reapd.Core.Daemon;

namespace Reapd.Core.Decision;

/// <summary>
/// The whole decision of `reapd run` as one pure state machine (docs/daemon.md). Inputs: a memory sample (which
/// carries the time), the answers to the core's own commands (a scan, a signal's outcome), the reap's answer from the
/// reaper thread, and exits seen on pidfds. Output: commands in <see cref="Commands"/> — scan, signal, kill sharers,
/// reap, release, restart the stall window, report. No I/O, no clock, no handle: everything it remembers is the
/// value <see cref="State"/>, so tables test it and the model checker (src/Reapd.Model/Daemon) explores this very
/// code against a model of the kernel. The rules live in <see cref="PressureAssessment"/>, <see cref="Escalation"/>,
/// <see cref="RetargetRule"/> and <see cref="SettleRules"/>; this type sequences them. Not thread-safe: the loop
/// thread alone feeds it.
/// </summary>
public sealed class DecisionCore
{
    private DaemonConfig _config;
    private DecisionState _s = DecisionState.Initial;

    public DecisionCore(DaemonConfig config)
    {
        _config = config;
    }

    public DaemonConfig Config => _config;

    /// <summary>
    /// New settings (a configuration reload), taking effect with the next input. The state is kept as it is: a victim
    /// in flight stays in flight, its settle gate and deadlines are not restarted (they are measured from when they
    /// began, against the new timeouts), and no second victim can follow from the change alone.
    /// </summary>
    public void Reconfigure(DaemonConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        // The settings only: the core applies no rules, and compiling them here would put a reload's rule compilation
        // on the loop (the reload thread compiled and checked them; the actuator takes that RuleSet as it is).
        if (config.ValidateSettings() is string problem)
        {
            throw new ArgumentException(problem, nameof(config));
        }
        _config = config;
        Commands.Tap?.Reconfigured(config);
    }

    public CommandQueue Commands { get; } = new();

    public ref readonly DecisionState State => ref _s;

    /// <summary>Sees every input and every command (`reapd run --record`); null: nobody listens.</summary>
    public IDecisionTap? Tap
    {
        get => Commands.Tap;
        set => Commands.Tap = value;
    }

    /// <summary>Replaces the state (the model checker's restore; table tests' starting point). Drops queued commands.</summary>
    public void Restore(in DecisionState state)
    {
        _s = state;
        Commands.Clear();
    }

    /// <summary>
    /// Starts with a victim already in flight: a previous instance signalled it and stopped (crashed, was restarted)
    /// before its memory came back, and its state file says so (docs/reliability.md, "Signals and restarts"). The gate
    /// is closed for it as if this instance had sent the signal at <paramref name="signalledMs"/> (CLOCK_MONOTONIC,
    /// the same clock on the same boot): a SIGTERMed victim's grace runs on from then and ends in its SIGKILL; a
    /// SIGKILLed one is reaped again through this instance's pidfd (process_mrelease on a dying process is harmless,
    /// whether or not the first reap ran) and settles by the usual rules, its settle timeout counted from then too.
    /// Its mm sharers are not known here: they are watched no longer. Only on a fresh core, before the first sample.
    /// </summary>
    public void AdoptInFlight(VictimId victim, VictimPhase phase, long signalledMs, long heldBytes, long availableBytes, long nowMs)
    {
        if (_s.InFlight || _s.PendingAction != PendingAction.None || phase == VictimPhase.None)
        {
            throw new InvalidOperationException($"a victim can be adopted only by an idle core, in a phase with a signal sent (here {phase})");
        }
        Commands.Tap?.Adopted(victim, phase, signalledMs, heldBytes, availableBytes, nowMs);
        _s.Victim = victim;
        _s.Phase = phase;
        _s.HeldBytes = Math.Max(0, heldBytes);
        _s.FirstSignalMs = signalledMs;
        _s.LastAvailableBytes = availableBytes;
        _s.LowestAvailableBytes = availableBytes;
        if (phase == VictimPhase.Terminating)
        {
            _s.TermSentMs = signalledMs;
            return;
        }
        _s.KillSentMs = signalledMs;
        if (!_config.DryRun)
        {
            AskReap(nowMs);
        }
    }

    /// <summary>A new reading: settle the victim in flight if the kernel has confirmed its memory is freed, then decide.</summary>
    public void OnSample(in MemorySample reading)
    {
        Commands.Tap?.Sampled(reading, _s.InFlight || _s.PendingAction != PendingAction.None);
        MemorySample sample = reading;
        long now = sample.TimeMs;
        _s.LastAvailableBytes = sample.AvailableBytes;
        _s.LastTermLevelBytes = PressureAssessment.TermLevelBytes(sample, _config);
        if (_s.InFlight)
        {
            TrackMemory(sample.AvailableBytes, now);
            ReportSlowReap(now);
            if (SettleRules.TrySettle(_s, now, _config, out SettleCause cause))
            {
                Settle(cause, now);
                // The stall this sample still shows was measured over a window the kill has just answered; the window
                // restarts with this settle (RestartStallWindow), so it must not trigger a second kill now.
                sample = sample with { PsiFullWindowPercent = -1, PsiSomeWindowPercent = -1, ThrashHeldMs = -1 };
            }
        }
        PressureLevel level = PressureAssessment.Assess(sample, _config, out PressureCondition condition);

        EscalationDecision decision = Escalation.Decide(_s, level, now, _config);
        switch (decision.Kind)
        {
            case DecisionKind.Terminate or DecisionKind.Kill:
                Tell(new DecisionReport(ReportKind.Trigger, Decision: decision.Kind, Reason: Stalled(condition, decision.Reason), Level: level, Condition: condition));
                _s.PendingAction = decision.Kind == DecisionKind.Terminate ? PendingAction.ChooseToTerminate : PendingAction.ChooseToKill;
                Commands.Enqueue(Command.ScanFor(ScanPurpose.Choose));
                break;
            case DecisionKind.Escalate:
                Tell(new DecisionReport(ReportKind.Trigger, _s.Victim, decision.Kind, Stalled(condition, decision.Reason), level, Condition: condition));
                if (decision.Reason == DecisionReason.KillLevelDuringGrace && !_config.DryRun)
                {
                    _s.PendingAction = PendingAction.Retarget;
                    Commands.Enqueue(Command.ScanFor(ScanPurpose.Retarget));
                }
                else
                {
                    AskSignal(KillSignal.SigKill);
                }
                break;
        }
    }

    /// <summary>
    /// The answer to a Scan command: the scope's candidates (excluded processes left out), best first.
    /// </summary>
    public void OnScanned(ReadOnlySpan<RankedVictim> ranked, long nowMs)
    {
        Commands.Tap?.Scanned(ranked, nowMs);
        switch (_s.PendingAction)
        {
            case PendingAction.ChooseToTerminate:
                Choose(ranked, KillSignal.SigTerm, nowMs);
                return;
            case PendingAction.ChooseToKill:
                Choose(ranked, KillSignal.SigKill, nowMs);
                return;
            case PendingAction.Retarget:
                Retarget(ranked, nowMs);
                return;
            default:
                throw new InvalidOperationException($"a scan answered while the core waited for {_s.PendingAction}");
        }
    }

    /// <summary>
    /// The outcome of a Signal command. <paramref name="liveSharers"/>: the mm sharers found (for SIGTERM) or
    /// signalled (for SIGKILL) that the actuator now watches.
    /// </summary>
    public void OnSignalled(SignalResult result, int liveSharers, long nowMs)
    {
        Commands.Tap?.Signalled(result, liveSharers, nowMs);
        if (_s.PendingAction != PendingAction.Signal)
        {
            throw new InvalidOperationException($"a signal outcome answered while the core waited for {_s.PendingAction}");
        }
        _s.PendingAction = PendingAction.None;
        bool newVictim = _s.Phase == VictimPhase.None;
        switch (result)
        {
            case SignalResult.Sent or SignalResult.DryRun:
                if (newVictim)
                {
                    _s.FirstSignalMs = nowMs;
                    _s.LowestAvailableBytes = _s.LastAvailableBytes;
                }
                _s.LiveSharers = liveSharers;
                if (_s.PendingSignal == KillSignal.SigTerm)
                {
                    _s.Phase = VictimPhase.Terminating;
                    _s.TermSentMs = nowMs;
                    return;
                }
                _s.Phase = VictimPhase.Killed;
                _s.KillSentMs = nowMs;
                if (result == SignalResult.Sent)
                {
                    AskReap(nowMs);
                }
                return;
            case SignalResult.Gone or SignalResult.PidReused when !newVictim:
                // The SIGTERMed victim left before its SIGKILL: its exit is what the gate waits for now.
                VictimLeft(liveSharers, nowMs);
                return;
            case SignalResult.Gone or SignalResult.PidReused:
                // Gone before it was signalled, or never the process the scan saw: nothing is in flight, and the
                // next scan will not list it.
                DropVictim();
                return;
            default:
                // It cannot be killed (or reaped, when a sharer is protected): never choose it again.
                _s.Exclusions.Add(_s.Victim);
                DropVictim();
                return;
        }
    }

    /// <summary>What the reaper thread's process_mrelease (with its retries and sharer rounds) answered.</summary>
    public void OnReapAnswered(ReapObservation observation, long nowMs)
    {
        Commands.Tap?.ReapAnswered(observation, nowMs);
        if (!_s.InFlight || _s.Reap != ReapState.InFlight)
        {
            return; // an answer for a victim the core has already let go (settled by timeout meanwhile)
        }
        _s.ReapAnsweredMs = nowMs;
        _s.Reap = observation switch
        {
            ReapObservation.Released => ReapState.Released,
            ReapObservation.ReleasedExitPending => ReapState.ReleasedExitPending,
            ReapObservation.NoMm => ReapState.NoMm,
            ReapObservation.CoreDumping => ReapState.CoreDumping,
            _ => ReapState.NotReaped,
        };
        if (_s.Reap == ReapState.NoMm)
        {
            _s.ProgressAvailableBytes = _s.LastAvailableBytes;
            _s.ProgressAtMs = nowMs;
        }
    }

    /// <summary>
    /// A pidfd of the victim in flight became readable. <paramref name="victimExited"/>: the victim's own;
    /// <paramref name="liveSharers"/>: its mm sharers not yet exited.
    /// </summary>
    public void OnExited(bool victimExited, int liveSharers, long nowMs)
    {
        Commands.Tap?.Exited(victimExited, liveSharers, nowMs);
        if (!_s.InFlight)
        {
            return;
        }
        _s.LiveSharers = liveSharers;
        if (victimExited && !_s.VictimExited)
        {
            VictimLeft(liveSharers, nowMs);
        }
    }

    /// <summary>How long the loop may sleep: the adaptive interval, cut short by the victim's next deadline.</summary>
    public int NextWakeMs(in MemorySample last)
    {
        int interval = AdaptiveInterval.NextMs(last, _config, PressureAssessment.TermLevelBytes(last, _config),
            PressureAssessment.KillLevelBytes(last, _config), _s.Phase);
        long deadline = SettleRules.MsUntilDeadline(_s, last.TimeMs, _config);
        return (int)Math.Clamp(Math.Min(interval, deadline), 0, interval);
    }

    private void Choose(ReadOnlySpan<RankedVictim> ranked, KillSignal signal, long nowMs)
    {
        _s.PendingAction = PendingAction.None;
        int excluded = 0;
        for (int i = 0; i < ranked.Length; i++)
        {
            if (_s.Exclusions.Contains(ranked[i].Id))
            {
                excluded++;
                continue;
            }
            _s.NoCandidateUntilMs = long.MinValue;
            _s.Victim = ranked[i].Id;
            _s.HeldBytes = Math.Max(0, ranked[i].HeldBytes);
            _s.ShmemBytes = Math.Max(0, ranked[i].ShmemBytes);
            RememberRunnerUp(ranked, i);
            Tell(new DecisionReport(ReportKind.Choice, _s.Victim, ChoiceIndex: i, ExcludedCount: excluded,
                CandidateCount: ranked.Length, HeldBytes: _s.HeldBytes));
            AskSignal(signal);
            return;
        }
        _s.NoCandidateUntilMs = nowMs + Escalation.NoCandidateBackoffMs;
        Tell(new DecisionReport(ReportKind.NoCandidate, ExcludedCount: excluded, CandidateCount: ranked.Length));
    }

    /// <summary>The first eligible candidate after the chosen one: an allocator that overtakes the victim is measured against it.</summary>
    private void RememberRunnerUp(ReadOnlySpan<RankedVictim> ranked, int chosen)
    {
        _s.RunnerUp = default;
        _s.RunnerUpHeldBytes = 0;
        for (int j = chosen + 1; j < ranked.Length; j++)
        {
            if (!_s.Exclusions.Contains(ranked[j].Id))
            {
                _s.RunnerUp = ranked[j].Id;
                _s.RunnerUpHeldBytes = Math.Max(0, ranked[j].HeldBytes);
                return;
            }
        }
    }

    private void Retarget(ReadOnlySpan<RankedVictim> ranked, long nowMs)
    {
        _s.PendingAction = PendingAction.None;
        long heldNow = -1;
        bool someoneElseOnTop = false, topFound = false;
        long newTopGrowth = 0;
        foreach (RankedVictim candidate in ranked)
        {
            if (candidate.Id == _s.Victim)
            {
                heldNow = candidate.HeldBytes;
            }
            if (!topFound && !_s.Exclusions.Contains(candidate.Id))
            {
                topFound = true;
                someoneElseOnTop = candidate.Id != _s.Victim;
                newTopGrowth = candidate.HeldBytes - _s.RunnerUpHeldBytes;
            }
        }
        _s.HeldNowBytes = heldNow;
        if (!RetargetRule.ShouldRetarget(_s.HeldBytes, heldNow, someoneElseOnTop, newTopGrowth, _s.LastAvailableBytes, _s.LastTermLevelBytes))
        {
            if (heldNow > _s.HeldBytes)
            {
                _s.HeldBytes = heldNow;
            }
            AskSignal(KillSignal.SigKill);
            return;
        }
        Tell(new DecisionReport(ReportKind.Retarget, _s.Victim, HeldBytes: _s.HeldBytes, HeldNowBytes: heldNow));
        Commands.Enqueue(Command.For(CommandKind.Release, _s.Victim));
        ResetVictim();
        Choose(ranked, KillSignal.SigKill, nowMs);
    }

    private void AskSignal(KillSignal signal)
    {
        _s.PendingAction = PendingAction.Signal;
        _s.PendingSignal = signal;
        Commands.Enqueue(Command.Send(_s.Victim, signal));
    }

    private void AskReap(long nowMs)
    {
        _s.Reap = ReapState.InFlight;
        _s.ReapAskedMs = nowMs;
        _s.ReapSlowReported = false;
        Commands.Enqueue(Command.For(CommandKind.Reap, _s.Victim));
    }

    /// <summary>
    /// The victim's thread group exited. During a SIGTERM grace with processes still sharing its mm, those hold
    /// its memory: they get the SIGKILL the kernel's oom_kill_process would give them, and the reap goes through them.
    /// </summary>
    private void VictimLeft(int liveSharers, long nowMs)
    {
        _s.VictimExited = true;
        _s.VictimExitedMs = nowMs;
        _s.LiveSharers = liveSharers;
        if (_s.Phase == VictimPhase.Terminating && liveSharers > 0 && !_s.SharersKilled)
        {
            _s.SharersKilled = true;
            _s.Phase = VictimPhase.Killed;
            _s.KillSentMs = nowMs;
            Commands.Enqueue(Command.For(CommandKind.KillSharers, _s.Victim));
            if (!_config.DryRun)
            {
                AskReap(nowMs);
            }
        }
    }

    private void TrackMemory(long availableBytes, long nowMs)
    {
        _s.LowestAvailableBytes = Math.Min(_s.LowestAvailableBytes, availableBytes);
        if (_s.Reap == ReapState.NoMm && availableBytes >= _s.ProgressAvailableBytes + SettleRules.ProgressQuantumBytes(_s))
        {
            // The exit is freeing memory: slow, not stuck.
            _s.ProgressAvailableBytes = availableBytes;
            _s.ProgressAtMs = nowMs;
        }
    }

    private void ReportSlowReap(long nowMs)
    {
        if (_s.Reap == ReapState.InFlight && !_s.ReapSlowReported && nowMs - _s.ReapAskedMs >= _config.ReapSlowReportMs)
        {
            _s.ReapSlowReported = true;
            Tell(new DecisionReport(ReportKind.ReapSlow, _s.Victim, InFlightMs: nowMs - _s.ReapAskedMs, HeldBytes: _s.HeldBytes));
        }
    }

    private void Settle(SettleCause cause, long nowMs)
    {
        long recovered = Math.Max(0, _s.LastAvailableBytes - _s.LowestAvailableBytes);
        // A SIGKILLed victim still there when it settles (reaped while a thread is stuck, its shmem waited out) is
        // dying: choosing it again frees nothing, and its shmem could rank it first for ever (found by the model
        // checker, docs/model.md). The kernel's MMF_OOM_SKIP keeps such an mm from being chosen again too.
        bool lingering = _s.Phase == VictimPhase.Killed && !_s.VictimExited && !_config.DryRun;
        bool excluded = SettleRules.Excludes(cause) || lingering;
        if (cause == SettleCause.StuckInMmput)
        {
            Tell(new DecisionReport(ReportKind.Stuck, _s.Victim, RecoveredBytes: recovered, HeldBytes: _s.HeldBytes));
        }
        Tell(new DecisionReport(ReportKind.Settled, _s.Victim, Cause: cause, InFlightMs: nowMs - _s.FirstSignalMs,
            HeldBytes: _s.HeldBytes, RecoveredBytes: recovered, Reaped: _s.Reap is ReapState.Released or ReapState.ReleasedExitPending, Gone: _s.VictimExited,
            Excluded: excluded));
        if (excluded)
        {
            _s.Exclusions.Add(_s.Victim);
        }
        Commands.Enqueue(Command.For(CommandKind.Release, _s.Victim));
        Commands.Enqueue(new Command(CommandKind.RestartStallWindow));
        ResetVictim();
    }

    private void DropVictim()
    {
        Commands.Enqueue(Command.For(CommandKind.Release, _s.Victim));
        ResetVictim();
    }

    /// <summary>Forgets the victim; keeps what outlives it (exclusions, back-off, the latest reading).</summary>
    private void ResetVictim()
    {
        DecisionState next = DecisionState.Initial;
        next.Exclusions = _s.Exclusions;
        next.NoCandidateUntilMs = _s.NoCandidateUntilMs;
        next.LastAvailableBytes = _s.LastAvailableBytes;
        next.LastTermLevelBytes = _s.LastTermLevelBytes;
        _s = next;
    }

    private void Tell(in DecisionReport report) => Commands.Enqueue(Command.Tell(report));

    private static DecisionReason Stalled(PressureCondition condition, DecisionReason reason) => (reason, condition) switch
    {
        (DecisionReason.KillLevel, PressureCondition.PsiFull) => DecisionReason.PsiFullStall,
        (DecisionReason.KillLevel, PressureCondition.PsiSome) => DecisionReason.PsiSomeStall,
        (DecisionReason.KillLevel, PressureCondition.Thrash) => DecisionReason.Thrash,
        _ => reason,
    };
}
