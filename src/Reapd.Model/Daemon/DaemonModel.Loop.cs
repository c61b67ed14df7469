using System.Text;
using Reapd.Core.Daemon;
using Reapd.Core.Decision;
using Reapd.Model.Exploration;

namespace Reapd.Model.Daemon;

/// <summary>
/// The daemon loop and its actuator: wake-ups first (the reaper thread's answer, a readable pidfd), then a sample;
/// every input goes to the production core, and its commands are carried out as the actuator does. A Scan or a
/// Signal ends a batch (the core asks for nothing after them until they are answered): the loop then takes their
/// steps one by one, so that the processes may change between pidfd_open, the start-time check, the sharer search
/// and each signal.
/// </summary>
internal sealed partial class DaemonModel
{
    protected override string? StepName(in DaemonWorld state, int actor) =>
        actor is D or L ? LoopStepName(state, actor) : KernelStepName(state, actor);

    protected override int Step(ref DaemonWorld state, int actor, StepExplanation? explanation)
    {
        int before = Available(state);
        int broken = actor is D or L ? LoopStep(ref state, actor, explanation) : KernelStep(ref state, actor, explanation);
        if (Available(state) != before)
        {
            state.LagAvailable = (sbyte)before;
        }
        return broken;
    }

    private static bool ExitWake(in DaemonWorld w) =>
        w.Pidfd >= 0 && !w.VictimSeen && Readable(Pc(w, w.Pidfd)) || (w.Sharers & ~w.SharersSeen & ReadableMask(w)) != 0;

    private static int ReadableMask(in DaemonWorld w)
    {
        int mask = 0;
        for (int s = 0; s < Processes.Count; s++)
        {
            if (Readable(Pc(w, s)))
            {
                mask |= 1 << s;
            }
        }
        return mask;
    }

    private static int LiveSharers(in DaemonWorld w) => System.Numerics.BitOperations.PopCount((uint)(w.Sharers & ~ReadableMask(w)));

    private static string? LoopStepName(in DaemonWorld w, int actor)
    {
        bool wake = w.Reaper == ReaperThreadPc.Answered || ExitWake(w);
        if (actor == L)
        {
            return w.Loop == ActuatorPc.Idle && !wake && !w.Sampled && w.LagAvailable != Available(w) ? "L.sample_lagging" : null;
        }
        return w.Loop switch
        {
            ActuatorPc.Idle when w.Reaper == ReaperThreadPc.Answered => "D.reap_answered",
            ActuatorPc.Idle when ExitWake(w) => "D.exited",
            ActuatorPc.Idle when !w.Sampled => "D.sample",
            ActuatorPc.Idle => null,
            ActuatorPc.Scan => "D.scan",
            ActuatorPc.Open => "D.pidfd_open",
            ActuatorPc.CheckStart => "D.check_start",
            ActuatorPc.Search => "D.sharer_search",
            ActuatorPc.SendTerm => "D.sigterm",
            ActuatorPc.KillSharers => "D.sigkill_sharers",
            _ => "D.sigkill_victim",
        };
    }

    private int LoopStep(ref DaemonWorld w, int actor, StepExplanation? x)
    {
        _core.Restore(w.Core.ToState(ModelScale.BaseMs));
        int broken;
        try
        {
            if (actor == L)
            {
                Mark(DaemonEvent.LaggingSample);
            }
            broken = actor == L ? Sample(ref w, w.LagAvailable, x) : w.Loop switch
            {
                ActuatorPc.Idle when w.Reaper == ReaperThreadPc.Answered => ReapAnswered(ref w, x),
                ActuatorPc.Idle when ExitWake(w) => Exited(ref w, x),
                ActuatorPc.Idle => Sample(ref w, (sbyte)Available(w), x),
                ActuatorPc.Scan => Scan(ref w, x),
                ActuatorPc.Open => PidfdOpen(ref w, x),
                ActuatorPc.CheckStart => CheckStart(ref w, x),
                ActuatorPc.Search => SharerSearch(ref w, x),
                ActuatorPc.SendTerm => SendTerm(ref w, x),
                ActuatorPc.KillSharers => KillSharersStep(ref w, x),
                _ => KillVictim(ref w, x),
            };
        }
        catch (Exception e) when (e is not ModelAbstractionException)
        {
            x?.Break(P3, e.GetType().Name, e.Message);
            return 1 << P3;
        }
        w.Core = CoreSnapshot.Of(_core.State, ModelScale.BaseMs, _core.Config);
        return broken;
    }

    /// <summary>The clock advances: every time the core holds is one tick further in the past.</summary>
    private void Shift(ref DaemonWorld w, long ms)
    {
        _core.Restore(w.Core.ToState(ModelScale.BaseMs));
        w.Core = CoreSnapshot.Of(_core.State, ModelScale.BaseMs + ms, _core.Config);
    }

    private int VictimSlot => Processes.SlotOf(_core.State.Victim);

    private int Sample(ref DaemonWorld w, sbyte availableUnits, StepExplanation? x)
    {
        w.Sampled = true;
        x?.Say($"OnSample(available {availableUnits}{(availableUnits != Available(w) ? ", lagging: truly " + Available(w) : "")})");
        w.LagAvailable = (sbyte)Available(w); // a lagging reading is shown once; the next one has caught up
        _core.OnSample(new MemorySample(ModelScale.BaseMs, ModelScale.Bytes(availableUnits), ModelScale.Bytes(ModelScale.TotalUnits), 0, 0, PsiReading.None));
        return Drain(ref w, x);
    }

    private int Scan(ref DaemonWorld w, StepExplanation? x)
    {
        int n = 0;
        for (int slot = 0; slot < Processes.Count; slot++)
        {
            if (!HoldsMm(Pc(w, slot)))
            {
                continue; // zombie or past exit_mm: not a candidate (and never seen before its creation)
            }
            (int anon, int shmem) = MemoryOf(w, slot);
            var candidate = new RankedVictim(Processes.IdOf(slot), ModelScale.Bytes(anon), ModelScale.Bytes(shmem));
            // Best first by badness (rss with shmem), the scan's order; ties keep the slot order.
            int i = n++;
            while (i > 0 && Badness(_ranked[i - 1]) < Badness(candidate))
            {
                _ranked[i] = _ranked[i - 1];
                i--;
            }
            _ranked[i] = candidate;
        }
        if (x is not null)
        {
            var text = new StringBuilder("OnScanned(");
            for (int i = 0; i < n; i++)
            {
                text.Append(i == 0 ? "" : " ").Append(Processes.Name(Processes.SlotOf(_ranked[i].Id)))
                    .Append(':').Append(ModelScale.Units(_ranked[i].HeldBytes)).Append('+').Append(ModelScale.Units(_ranked[i].ShmemBytes));
            }
            x.Say(text.Append(')').ToString());
        }
        w.Loop = ActuatorPc.Idle;
        _core.OnScanned(_ranked.AsSpan(0, n), ModelScale.BaseMs);
        return Drain(ref w, x);
    }

    private static long Badness(in RankedVictim v) => v.HeldBytes + v.ShmemBytes;

    private int PidfdOpen(ref DaemonWorld w, StepExplanation? x)
    {
        int owner = PidOwner(w, Processes.PidOf(VictimSlot));
        if (owner < 0)
        {
            x?.Say("pidfd_open: ESRCH");
            return Signalled(ref w, SignalResult.Gone, 0, x);
        }
        w.Pidfd = (sbyte)owner;
        w.Loop = _variant == DaemonVariant.BrokenPidCheck ? ActuatorPc.Search : ActuatorPc.CheckStart;
        x?.Say($"pidfd_open({Processes.PidOf(VictimSlot)}) -> {Processes.Name(owner)}");
        return 0;
    }

    private int CheckStart(ref DaemonWorld w, StepExplanation? x)
    {
        int victim = VictimSlot;
        int owner = PidOwner(w, Processes.PidOf(victim));
        if (owner < 0)
        {
            x?.Say("/proc/PID/stat: gone");
            return Signalled(ref w, SignalResult.Gone, 0, x);
        }
        if (owner != victim)
        {
            x?.Say($"start time is {Processes.Name(owner)}'s");
            return Signalled(ref w, SignalResult.PidReused, 0, x);
        }
        x?.Say("start time matches");
        w.Loop = _variant == DaemonVariant.BrokenPidCheck ? ActuatorPc.Open : ActuatorPc.Search;
        return 0;
    }

    /// <summary>kcmp KCMP_VM of every process against the victim held by its pidfd; a victim without an mm matches nobody.</summary>
    private int SharerSearch(ref DaemonWorld w, StepExplanation? x)
    {
        int found = 0;
        if (OnVictimMm(w, w.Pidfd))
        {
            for (int s = 0; s < Processes.Count; s++)
            {
                if (s != w.Pidfd && OnVictimMm(w, s))
                {
                    found |= 1 << s;
                }
            }
        }
        w.Sharers |= (byte)found;
        w.VFound |= (found & (1 << Processes.V)) != 0;
        x?.Say(found == 0 ? "no sharer" : $"sharers: {Mask(found)}");
        w.Loop = _core.State.PendingSignal == KillSignal.SigTerm ? ActuatorPc.SendTerm : ActuatorPc.KillSharers;
        return 0;
    }

    private int SendTerm(ref DaemonWorld w, StepExplanation? x)
    {
        if (Pc(w, w.Pidfd) == ProcPc.Reaped)
        {
            x?.Say("pidfd_send_signal: ESRCH");
            return Signalled(ref w, SignalResult.Gone, 0, x);
        }
        int broken = Deliver(ref w, w.Pidfd, KillSignal.SigTerm, VictimSlot, x);
        return broken | Signalled(ref w, SignalResult.Sent, LiveSharers(w), x);
    }

    private int KillSharersStep(ref DaemonWorld w, StepExplanation? x)
    {
        int broken = KillWatchedSharers(ref w, VictimSlot, x);
        w.Loop = ActuatorPc.KillVictim;
        return broken;
    }

    /// <summary>SIGKILL to each watched sharer still alive, re-checked (kcmp) right before its signal; one that exec'd is let go.</summary>
    private int KillWatchedSharers(ref DaemonWorld w, int victim, StepExplanation? x)
    {
        int broken = 0;
        for (int s = 0; s < Processes.Count; s++)
        {
            if ((w.Sharers & (1 << s)) == 0 || Readable(Pc(w, s)))
            {
                continue;
            }
            // kcmp against the victim while it has its mm; once it has exited (the sharer kill after an exit in the
            // grace), whether the sharer still uses the mm the victim had when it exited (see docs/model.md).
            bool victimHadMm = victim == Processes.A || victim == Processes.V && w.VShares;
            bool stillShares = OnVictimMm(w, s) && (OnVictimMm(w, victim) || !HoldsMm(Pc(w, victim)) && victimHadMm);
            if (_variant != DaemonVariant.NoSharerRecheck && !stillShares)
            {
                Mark(DaemonEvent.SharerSkippedByRecheck);
                w.Sharers &= (byte)~(1 << s);
                x?.Say($"{Processes.Name(s)} no longer shares the mm: skipped");
                continue;
            }
            Mark(w.Loop == ActuatorPc.KillSharers ? DaemonEvent.SharerSigkilled : DaemonEvent.SharersKilledAfterExit);
            broken |= Deliver(ref w, s, KillSignal.SigKill, victim, x);
        }
        return broken;
    }

    private int KillVictim(ref DaemonWorld w, StepExplanation? x)
    {
        if (Pc(w, w.Pidfd) == ProcPc.Reaped)
        {
            x?.Say("pidfd_send_signal: ESRCH");
            return Signalled(ref w, SignalResult.Gone, LiveSharers(w), x);
        }
        int broken = Deliver(ref w, w.Pidfd, KillSignal.SigKill, VictimSlot, x);
        if (_variant == DaemonVariant.AnswerPerProcess)
        {
            // The broken loop: one outcome per pidfd signalled, the sharers' first.
            for (int s = 0; s < LiveSharers(w); s++)
            {
                broken |= Signalled(ref w, SignalResult.Sent, LiveSharers(w), x);
            }
        }
        return broken | Signalled(ref w, SignalResult.Sent, LiveSharers(w), x);
    }

    private int Signalled(ref DaemonWorld w, SignalResult result, int liveSharers, StepExplanation? x)
    {
        if (result == SignalResult.PidReused)
        {
            Mark(DaemonEvent.PidReusedCaught);
        }
        else if (result == SignalResult.Gone)
        {
            Mark(DaemonEvent.GoneBeforeSignal);
        }
        else if (_core.State.PendingSignal == KillSignal.SigTerm)
        {
            Mark(DaemonEvent.SigtermSent);
        }
        else if (_core.State.Phase == VictimPhase.Terminating)
        {
            Mark(DaemonEvent.EscalatedToSigkill);
        }
        w.Loop = ActuatorPc.Idle;
        x?.Say($"OnSignalled({result}, sharers {liveSharers})");
        _core.OnSignalled(result, liveSharers, ModelScale.BaseMs);
        return Drain(ref w, x);
    }

    private int ReapAnswered(ref DaemonWorld w, StepExplanation? x)
    {
        ReapObservation observation = w.ReapAnswer;
        int forSlot = w.ReapFor;
        w.Reaper = ReaperThreadPc.Idle;
        w.ReapTarget = -1;
        w.ReapFor = -1;
        w.ReapAnswer = default;
        if (!_core.State.InFlight || forSlot != VictimSlot)
        {
            Mark(DaemonEvent.StaleReapAnswerDropped);
            x?.Say($"the reaper thread's answer for {Processes.Name(forSlot)} ({observation}) is for a victim the loop let go: dropped");
            return 0;
        }
        if (_variant == DaemonVariant.BrokenSettleGate && observation == ReapObservation.NoMm)
        {
            observation = ReapObservation.Released; // the broken gate: ESRCH read as "the memory is freed"
        }
        x?.Say($"OnReapAnswered({observation})");
        _core.OnReapAnswered(observation, ModelScale.BaseMs);
        return Drain(ref w, x);
    }

    private int Exited(ref DaemonWorld w, StepExplanation? x)
    {
        if (w.Pidfd >= 0 && Readable(Pc(w, w.Pidfd)))
        {
            w.VictimSeen = true;
        }
        w.SharersSeen |= (byte)(w.Sharers & ReadableMask(w));
        int live = LiveSharers(w);
        if (_variant == DaemonVariant.BrokenSettleGate && w.VictimSeen)
        {
            live = 0; // the broken gate: the victim's pidfd alone counts
        }
        x?.Say($"OnExited(victim {(w.VictimSeen ? "exited" : "alive")}, sharers {live})");
        _core.OnExited(w.VictimSeen, live, ModelScale.BaseMs);
        return Drain(ref w, x);
    }

    /// <summary>Carries out the queued commands; a Scan or a Signal hands the loop to their own steps.</summary>
    private int Drain(ref DaemonWorld w, StepExplanation? x)
    {
        int broken = 0;
        StringBuilder? text = x is null ? null : new StringBuilder();
        while (_core.Commands.TryDequeue(out Command c))
        {
            if (w.Loop != ActuatorPc.Idle)
            {
                throw new ModelAbstractionException($"the core queued {c.Kind} behind a Scan or a Signal");
            }
            text?.Append(text.Length == 0 ? "" : "; ").Append(Text(c));
            switch (c.Kind)
            {
                case CommandKind.Report:
                    broken |= OnReport(ref w, c.Report, x);
                    break;
                case CommandKind.Release:
                    if (w.PrevRelease == ReleaseKind.InFlight && w.PrevVictim == Processes.SlotOf(c.Victim))
                    {
                        w.PrevRelease = ReleaseKind.Dropped;
                        w.PrevBackAtRelease = ComingBack(w, w.PrevVictim);
                    }
                    w.Pidfd = -1;
                    w.VictimSeen = false;
                    w.Sharers = 0;
                    w.SharersSeen = 0;
                    break;
                case CommandKind.RestartStallWindow:
                    break;
                case CommandKind.Reap:
                    HandReap(ref w, x);
                    break;
                case CommandKind.KillSharers:
                    broken |= KillWatchedSharers(ref w, Processes.SlotOf(c.Victim), x);
                    break;
                case CommandKind.Scan:
                    w.Loop = ActuatorPc.Scan;
                    break;
                case CommandKind.Signal:
                    w.Loop = w.Pidfd >= 0 ? ActuatorPc.Search : _variant == DaemonVariant.BrokenPidCheck ? ActuatorPc.CheckStart : ActuatorPc.Open;
                    break;
                default:
                    throw new ModelAbstractionException($"the actuator model does not know {c.Kind}");
            }
        }
        if (text is { Length: > 0 })
        {
            x?.Say("=> " + text);
        }
        return broken;
    }

    /// <summary>
    /// The reaper thread gets the victim's pidfd, or a live sharer's once the victim has exited. A reaper thread still
    /// busy with an earlier victim (stuck behind an mm lock) cannot take it: the core hears "failed" at once.
    /// </summary>
    private void HandReap(ref DaemonWorld w, StepExplanation? x)
    {
        int target = w.Pidfd >= 0 && !Readable(Pc(w, w.Pidfd)) ? w.Pidfd : -1;
        for (int s = 0; s < Processes.Count && target < 0; s++)
        {
            if ((w.Sharers & (1 << s)) != 0 && !Readable(Pc(w, s)))
            {
                target = s;
            }
        }
        if (w.Reaper != ReaperThreadPc.Idle)
        {
            Mark(DaemonEvent.ReaperBusy);
            x?.Say("the reaper thread is busy: failed");
            _core.OnReapAnswered(ReapObservation.Failed, ModelScale.BaseMs);
            return;
        }
        if (target < 0)
        {
            x?.Say("nobody left to reap: ESRCH");
            _core.OnReapAnswered(ReapObservation.NoMm, ModelScale.BaseMs);
            return;
        }
        w.Reaper = ReaperThreadPc.Busy;
        w.ReapTarget = (sbyte)target;
        w.ReapFor = (sbyte)VictimSlot;
        w.ReapRounds = 0;
    }

    private int OnReport(ref DaemonWorld w, in DecisionReport report, StepExplanation? x)
    {
        if (report.Kind == ReportKind.Settled)
        {
            Mark(report.Cause switch
            {
                SettleCause.Reaped => DaemonEvent.SettledReaped,
                SettleCause.ReapedShmemExit => DaemonEvent.SettledReapedShmemExit,
                SettleCause.Exited => DaemonEvent.SettledExited,
                SettleCause.StuckInMmput => DaemonEvent.SettledStuck,
                _ => DaemonEvent.SettledTimeout,
            });
        }
        else if (report.Kind == ReportKind.Retarget)
        {
            Mark(DaemonEvent.Retarget);
        }
        switch (report.Kind)
        {
            case ReportKind.Settled when w.PrevVictim == Processes.SlotOf(report.Victim):
                w.PrevBackAtRelease = ComingBack(w, w.PrevVictim);
                w.PrevRelease = report.Cause switch
                {
                    SettleCause.Reaped => ReleaseKind.Reaped,
                    SettleCause.ReapedShmemExit => ReleaseKind.ReapedShmemExit,
                    SettleCause.Exited => ReleaseKind.Exited,
                    SettleCause.StuckInMmput => ReleaseKind.StuckInMmput,
                    _ => ReleaseKind.Timeout,
                };
                return 0;
            case ReportKind.Choice:
                return SecondVictim(w, Processes.SlotOf(report.Victim), x);
            case ReportKind.Retarget:
                return CheckRetarget(ref w, Processes.SlotOf(report.Victim), ModelScale.Units(report.HeldBytes), x);
            default:
                return 0;
        }
    }

    /// <summary>
    /// P2: the core chooses a victim other than the last one signalled while that one's memory is coming back (in
    /// truth: its teardown runs or will, or a reap the kernel will complete frees it), having let it go while it was
    /// already coming back (memory that starts coming back later, by an exec of a sharer nobody knew of, is no gate's
    /// doing). Allowed only when the core let it go by the bounded settle timeout, the stuck verdict, the bounded shmem
    /// wait, or a retarget whose conditions held in truth. A choice that uses the same mm as the last victim (its vfork child, or its parent) is not a
    /// second victim: it is the same memory.
    /// </summary>
    private static int SecondVictim(in DaemonWorld w, int choice, StepExplanation? x)
    {
        bool sameMm = OnVictimMm(w, choice) && (w.PrevVictim == Processes.A || w.PrevVictim == Processes.V && w.VShares);
        if (choice == w.PrevVictim || sameMm || w.PrevVictim < 0 || !w.PrevBackAtRelease || !ComingBack(w, w.PrevVictim)
            || w.PrevRelease is not (ReleaseKind.InFlight or ReleaseKind.Reaped or ReleaseKind.Exited or ReleaseKind.Dropped or ReleaseKind.BadRetarget))
        {
            return 0;
        }
        x?.Break(P2, "after-" + w.PrevRelease.ToString().ToLowerInvariant(),
            $"{Processes.Name(choice)} chosen as a second victim while {Processes.Name(w.PrevVictim)}'s memory is coming back (let go: {w.PrevRelease})");
        return 1 << P2;
    }

    /// <summary>
    /// P2's retarget clause, judged in truth: the SIGTERMed victim passed over must still be in the ranking and not
    /// shrinking (it holds at least 90 % of the anonymous memory it held when chosen), and its kill alone must not lift
    /// the available memory the core sampled above the term line — counting all its kill gives back: its anonymous
    /// memory, and its shmem (which only its mm maps here) when its exit can complete.
    /// </summary>
    private static int CheckRetarget(ref DaemonWorld w, int victim, int heldAtChoice, StepExplanation? x)
    {
        bool inRanking = HoldsMm(Pc(w, victim));
        (int anon, int shmem) = MemoryOf(w, victim);
        bool shrinking = !inRanking || anon * 10 < heldAtChoice * 9;
        int exitFrees = OnVictimMm(w, victim) && w.Exit is ExitKind.AioStuck or ExitKind.FuseStuck ? 0 : shmem;
        bool enough = w.Core.LastAvailableUnits + anon + exitFrees > ModelScale.TermUnits;
        w.PrevBackAtRelease = ComingBack(w, victim);
        if (!shrinking && !enough)
        {
            w.PrevRelease = ReleaseKind.Retarget;
            return 0;
        }
        w.PrevRelease = ReleaseKind.BadRetarget;
        x?.Break(P2, "retarget", shrinking
            ? $"{Processes.Name(victim)} passed over at the kill level although it was giving memory back"
            : $"{Processes.Name(victim)} passed over at the kill level although its kill alone (anon {anon} + shmem {exitFrees}) would have lifted the sampled {w.Core.LastAvailableUnits} above the term line");
        return 1 << P2;
    }

    private static string Text(in Command c) => c.Kind switch
    {
        CommandKind.Report => c.Report.Kind switch
        {
            ReportKind.Trigger => $"report trigger {c.Report.Decision} ({c.Report.Reason})",
            ReportKind.Choice => $"report choice {Name(c.Victim)}",
            ReportKind.Settled => $"report settled {Name(c.Victim)} ({c.Report.Cause})",
            _ => $"report {c.Report.Kind} {Name(c.Victim)}",
        },
        CommandKind.Signal => $"Signal {(c.Signal == KillSignal.SigKill ? "SIGKILL" : "SIGTERM")} {Name(c.Victim)}",
        CommandKind.Scan => $"Scan ({c.Purpose})",
        CommandKind.RestartStallWindow => "RestartStallWindow",
        _ => $"{c.Kind} {Name(c.Victim)}",
    };

    private static string Name(VictimId id) => id == default ? "-" : Processes.Name(Processes.SlotOf(id));

    private static string Mask(int mask)
    {
        var text = new StringBuilder();
        for (int s = 0; s < Processes.Count; s++)
        {
            if ((mask & (1 << s)) != 0)
            {
                text.Append(text.Length == 0 ? "" : ",").Append(Processes.Name(s));
            }
        }
        return text.ToString();
    }
}
