using Reapd.Core.Daemon;
using Reapd.Core.Selection;
using Reapd.Linux.Kill;

namespace Reapd.Daemon;

/// <summary>The event lines of the daemon (docs/daemon.md lists every field).</summary>
internal sealed partial class Guard
{
    private void LogTrigger(GovernorDecision decision, in MemorySample sample, Wake wake)
    {
        EventLog line = _log.Begin("trigger"u8, EventLog.Warning)
            .Field("level"u8, decision.Level switch { PressureLevel.Kill => "kill"u8, PressureLevel.Term => "term"u8, _ => "none"u8 })
            .Field("reason"u8, ReasonText(decision.Reason))
            .Field("action"u8, decision.Kind switch { DecisionKind.Terminate => "sigterm"u8, DecisionKind.Escalate => "escalate"u8, _ => "sigkill"u8 })
            .Field("available_mib"u8, Mib(sample.AvailableBytes), 1)
            .Field("total_mib"u8, Mib(sample.TotalBytes), 1)
            .Field("available_pct"u8, sample.AvailablePercent, 2)
            .Field("term_mib"u8, Mib(_governor.TermLevelBytes(sample)), 1)
            .Field("kill_mib"u8, Mib(_governor.KillLevelBytes(sample)), 1);
        if (sample.HasSwap)
        {
            line.Field("swap_free_mib"u8, Mib(sample.SwapFreeBytes), 1).Field("swap_total_mib"u8, Mib(sample.SwapTotalBytes), 1);
        }
        if (sample.Psi.Present)
        {
            line.Field("psi_some_avg10"u8, sample.Psi.SomeAvg10, 2).Field("psi_full_avg10"u8, sample.Psi.FullAvg10, 2);
            if (_governor.PsiFullSharePercent >= 0)
            {
                line.Field("psi_full_window_pct"u8, _governor.PsiFullSharePercent, 1);
            }
        }
        line.Field("woke"u8, WakeText(wake));
        if (_gate.Phase != VictimPhase.None)
        {
            line.Field("pid"u8, _gate.Victim.Pid).Field("name"u8, _victimName.Utf8);
        }
        line.End();
    }

    private void LogChoice(ReadOnlySpan<Candidate> ranked, int candidateCount, Choice choice, GovernorDecision decision, double scanMs)
    {
        Candidate chosen = ranked[choice.Index];
        EventLog line = _log.Begin("choice"u8, EventLog.Warning)
            .Field("pid"u8, chosen.Pid)
            .Field("name"u8, chosen.Name.Utf8)
            .Field("badness"u8, chosen.BadnessPages)
            .Field("rss_mib"u8, chosen.RssKiB / 1024.0, 1)
            .Field("swap_mib"u8, chosen.SwapKiB / 1024.0, 1)
            .Field("adj"u8, chosen.OomScoreAdj)
            .Field("why"u8, choice.ExcludedCount == 0 ? "highest badness in scope" : "highest badness not excluded by an earlier settle timeout or failure")
            .Field("candidates"u8, candidateCount)
            .Field("excluded"u8, ranked.Length - candidateCount + choice.ExcludedCount)
            .Field("scan_ms"u8, scanMs, 3)
            .BeginList("top"u8);
        for (int i = 0; i < Math.Min(candidateCount, MaxTopCandidatesLogged); i++)
        {
            line.BeginItem()
                .Field("pid"u8, ranked[i].Pid)
                .Field("name"u8, ranked[i].Name.Utf8)
                .Field("badness"u8, ranked[i].BadnessPages)
                .Field("rss_mib"u8, ranked[i].RssKiB / 1024.0, 1)
                .Field("adj"u8, ranked[i].OomScoreAdj)
                .EndItem();
        }
        line.EndList().End();
    }

    private void LogNoCandidate(ReadOnlySpan<Candidate> ranked, int candidateCount, Choice choice, double scanMs)
    {
        EventLog line = _log.Begin("no-candidate"u8, EventLog.Error)
            .Field("why"u8, ranked.Length == 0 ? "no process in scope"
                : candidateCount == 0 ? "every process in scope is excluded (init, kernel thread, reapd, oom_score_adj -1000, protected, no memory)"
                : "every candidate is excluded after an earlier settle timeout, stuck exit or failed signal")
            .Field("processes"u8, ranked.Length)
            .Field("candidates"u8, candidateCount)
            .Field("excluded_by_gate"u8, choice.ExcludedCount)
            .Field("retry_ms"u8, Governor.NoCandidateBackoffMs)
            .Field("scan_ms"u8, scanMs, 3);
        line.End();
    }

    private void LogSignal(VictimId id, ReadOnlySpan<byte> signal, string result, string? detail)
    {
        EventLog line = _log.Begin("signal"u8, EventLog.Warning)
            .Field("pid"u8, id.Pid)
            .Field("name"u8, _victimName.Utf8)
            .Field("signal"u8, signal)
            .Field("result"u8, result);
        if (detail is not null)
        {
            line.Field("detail"u8, detail);
        }
        if (_victim is not null && _victim.Sharers.Count > 0)
        {
            line.BeginList("sharers"u8);
            foreach (Sharer sharer in _victim.Sharers)
            {
                line.BeginItem().Field("pid"u8, sharer.Pid).Field("result"u8, sharer.KillOutcome?.ToString() ?? "not signalled").EndItem();
            }
            line.EndList();
        }
        line.Field("dry_run"u8, _config.DryRun);
        line.End();
    }

    private void LogRelease(VictimId id, long heldAtChoiceBytes, long heldNowBytes)
    {
        _log.Begin("release"u8, EventLog.Notice)
            .Field("pid"u8, id.Pid)
            .Field("name"u8, _victimName.Utf8)
            .Field("held_at_choice_mib"u8, heldAtChoiceBytes / 1048576.0, 1)
            .Field("held_now_mib"u8, heldNowBytes / 1048576.0, 1)
            .Field("why"u8, "kill level reached during its SIGTERM grace, another process has outgrown it and it gives no memory back: the SIGKILL goes to the new top candidate; this one's SIGTERM is not followed up")
            .End();
    }

    private void LogReap(VictimId id, ReapOutcome reap, int attempts, double reapMs, long availableRoseBytes, bool exited)
    {
        _log.Begin("reap"u8, EventLog.Notice)
            .Field("pid"u8, id.Pid)
            .Field("name"u8, _victimName.Utf8)
            .Field("result"u8, reap.ToString())
            .Field("detail"u8, reap.Describe())
            .Field("attempts"u8, attempts)
            .Field("duration_ms"u8, reapMs, 3)
            .Field("held_mib"u8, Mib(_gate.HeldBytes), 1)
            .Field("freed_mib"u8, Mib(availableRoseBytes), 1)
            .Field("exited"u8, exited)
            .End();
    }

    private void LogSettle(in SettleVerdict verdict)
    {
        _log.Begin("settle"u8, verdict.ExcludesVictim ? EventLog.Error : EventLog.Notice)
            .Field("pid"u8, verdict.Victim.Pid)
            .Field("name"u8, _victimName.Utf8)
            .Field("reason"u8, SettleText(verdict.Reason))
            .Field("in_flight_ms"u8, verdict.InFlightMs)
            .Field("held_mib"u8, Mib(verdict.HeldBytes), 1)
            .Field("recovered_mib"u8, Mib(verdict.RecoveredBytes), 1)
            .Field("reaped"u8, verdict.Reaped)
            .Field("gone"u8, verdict.Gone)
            .Field("excluded"u8, verdict.ExcludesVictim)
            .Field("available_mib"u8, Mib(_lastSample.AvailableBytes), 1)
            .End();
    }

    private void LogStuck(in SettleVerdict verdict)
    {
        int pid = verdict.Victim.Pid;
        _log.Begin("stuck"u8, EventLog.Error)
            .Field("pid"u8, pid)
            .Field("name"u8, _victimName.Utf8)
            .Field("what"u8, "exit stuck in __mmput: process_mrelease gave ESRCH, the pidfd is not readable and the memory is not coming back (kernel.md D.4); userspace cannot reap it")
            .Field("wchan"u8, ReadProcText(pid, "wchan"))
            .Field("state"u8, ReadProcState(pid))
            .Field("recovered_mib"u8, Mib(verdict.RecoveredBytes), 1)
            .End();
    }

    private void LogStop()
    {
        _log.Begin("stop"u8, EventLog.Notice)
            .Field("reason"u8, _stopReason)
            .Field("sigterms"u8, _terms)
            .Field("sigkills"u8, _kills)
            .Field("in_flight"u8, _gate.Phase != VictimPhase.None)
            .Field("events_dropped"u8, _log.DroppedTotal)
            .End();
    }

    private static ReadOnlySpan<byte> ReasonText(DecisionReason reason) => reason switch
    {
        DecisionReason.TermLevel => "at or below the term level"u8,
        DecisionReason.KillLevel => "at or below the kill level"u8,
        DecisionReason.PsiFullStall => "sustained full memory stall"u8,
        DecisionReason.GraceExpired => "SIGTERM grace expired"u8,
        DecisionReason.KillLevelDuringGrace => "kill level reached during the SIGTERM grace"u8,
        _ => "other"u8,
    };

    private static ReadOnlySpan<byte> SettleText(SettleReason reason) => reason switch
    {
        SettleReason.MemoryBack => "memory-back"u8,
        SettleReason.ConditionCleared => "condition-cleared"u8,
        SettleReason.Timeout => "timeout"u8,
        SettleReason.StuckInMmput => "stuck-in-mmput"u8,
        _ => "dry-run"u8,
    };

    private static ReadOnlySpan<byte> WakeText(Wake wake)
    {
        if ((wake & Wake.Psi) != 0)
        {
            return "psi"u8;
        }
        if ((wake & Wake.CgroupEvent) != 0)
        {
            return "cgroup-event"u8;
        }
        if ((wake & Wake.VictimExit) != 0)
        {
            return "victim-exit"u8;
        }
        return (wake & Wake.Start) != 0 ? "start"u8 : "timer"u8;
    }

    private static string ReadProcText(int pid, string file)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/{file}").Trim();
        }
        catch (IOException)
        {
            return "?";
        }
        catch (UnauthorizedAccessException)
        {
            return "?";
        }
    }

    private static string ReadProcState(int pid)
    {
        foreach (string line in ReadProcText(pid, "status").Split('\n'))
        {
            if (line.StartsWith("State:", StringComparison.Ordinal))
            {
                return line[6..].Trim();
            }
        }
        return "?";
    }
}
