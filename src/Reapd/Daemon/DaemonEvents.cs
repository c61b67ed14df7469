using Reapd.Announce;
using Reapd.Core.Daemon;
using Reapd.Core.Decision;
using Reapd.Core.Policy;
using Reapd.Core.Proc;
using Reapd.Core.Selection;
using Reapd.Linux.Kill;

namespace Reapd.Daemon;

/// <summary>
/// The daemon's event lines (docs/daemon.md lists every field). Formats what it is given: the core's reports, the
/// actuator's outcomes, the sample; reads nothing itself.
/// </summary>
internal sealed class DaemonEvents
{
    private const int MaxTopCandidatesLogged = 3;

    /// <summary>Room for the rule names of one process in an event (longer lists end in "...").</summary>
    public const int RuleNamesBytes = 1024;

    private readonly EventLog _log;
    private DaemonConfig _config;
    private readonly Metrics.DaemonMetrics _metrics;
    private readonly byte[] _ruleNames = new byte[RuleNamesBytes];

    public DaemonEvents(EventLog log, DaemonConfig config, Metrics.DaemonMetrics metrics)
    {
        _log = log;
        _config = config;
        _metrics = metrics;
    }

    public EventLog Log => _log;

    /// <summary>A reload: the levels in the events come from <paramref name="config"/> from now on.</summary>
    public void Reconfigure(DaemonConfig config) => _config = config;

    public void Trigger(in DecisionReport report, in MemorySample sample, Wake wake, ReadOnlySpan<byte> victimName)
    {
        _metrics.Triggered(report);
        EventLog line = _log.Begin("trigger"u8, EventLog.Warning)
            .Field("level"u8, report.Level switch { PressureLevel.Kill => "kill"u8, PressureLevel.Term => "term"u8, _ => "none"u8 })
            .Field("reason"u8, ReasonText(report.Reason))
            .Field("condition"u8, ConditionText(report.Condition))
            .Field("action"u8, report.Decision switch { DecisionKind.Terminate => "sigterm"u8, DecisionKind.Escalate => "escalate"u8, _ => "sigkill"u8 })
            .Field("available_mib"u8, Mib(sample.AvailableBytes), 1)
            .Field("total_mib"u8, Mib(sample.TotalBytes), 1)
            .Field("available_pct"u8, sample.AvailablePercent, 2)
            .Field("term_mib"u8, Mib(PressureAssessment.TermLevelBytes(sample, _config)), 1)
            .Field("kill_mib"u8, Mib(PressureAssessment.KillLevelBytes(sample, _config)), 1);
        ListCredit(line, sample);
        if (sample.HasSwap)
        {
            line.Field("swap_free_mib"u8, Mib(sample.SwapFreeBytes), 1).Field("swap_total_mib"u8, Mib(sample.SwapTotalBytes), 1)
                .Field("swap_term_mib"u8, Mib(PressureAssessment.SwapTermLevelBytes(sample, _config)), 1)
                .Field("swap_kill_mib"u8, Mib(PressureAssessment.SwapKillLevelBytes(sample, _config)), 1);
            if (sample.RawSwapFreeBytes >= 0)
            {
                // zram-aware: what SwapFree claimed before the bound of zram's remaining memory.
                line.Field("swap_raw_free_mib"u8, Mib(sample.RawSwapFreeBytes), 1);
            }
        }
        if (sample.Psi.Present)
        {
            line.Field("psi_some_avg10"u8, sample.Psi.SomeAvg10, 2).Field("psi_full_avg10"u8, sample.Psi.FullAvg10, 2);
            if (sample.PsiFullWindowPercent >= 0)
            {
                line.Field("psi_full_window_pct"u8, sample.PsiFullWindowPercent, 1);
            }
            if (sample.PsiSomeWindowPercent >= 0)
            {
                line.Field("psi_some_window_pct"u8, sample.PsiSomeWindowPercent, 1);
            }
            if (sample.ThrashFullPercent >= 0)
            {
                line.Field("thrash_full_pct"u8, sample.ThrashFullPercent, 1);
            }
            if (sample.ThrashRefaultsPerSecond >= 0)
            {
                line.Field("thrash_refaults_per_s"u8, sample.ThrashRefaultsPerSecond, 0);
            }
            if (sample.ThrashSwapInPercent >= 0)
            {
                line.Field("thrash_swap_in_pct"u8, sample.ThrashSwapInPercent, 1);
            }
            if (sample.ThrashHeldMs >= 0)
            {
                line.Field("thrash_held_ms"u8, sample.ThrashHeldMs);
            }
        }
        line.Field("woke"u8, WakeText(wake));
        if (report.Decision == DecisionKind.Escalate)
        {
            line.Field("pid"u8, report.Victim.Pid).Field("name"u8, victimName);
        }
        line.End();
    }

    /// <summary>Counts the scan in the metrics; a scan that was not whole is a `scan-partial` event (docs/daemon.md, "Scanning").</summary>
    public void Scanned(in ScanAnswer answer, int deadlineMs)
    {
        _metrics.Scanned(answer.IsComplete, answer.Skipped);
        if (answer.IsComplete)
        {
            return;
        }
        EventLog line = _log.Begin("scan-partial"u8, EventLog.Warning)
            .Field("result"u8, ScanEndText(answer.End))
            .Field("listed"u8, answer.Listed)
            .Field("ranked"u8, answer.Ranked)
            .Field("skipped"u8, answer.Skipped);
        if (answer.KnownStuckSkipped > 0)
        {
            line.Field("known_stuck"u8, answer.KnownStuckSkipped);
        }
        if (answer.RulesPending > 0)
        {
            // Ranked without their command-line rules (not reached by the deadline): a protect rule excluded them.
            line.Field("rules_pending"u8, answer.RulesPending);
        }
        if (answer.StuckPid != 0)
        {
            line.Field("stuck_pid"u8, answer.StuckPid);
            if (answer.StuckInDetail)
            {
                line.Field("stuck_name"u8, answer.StuckName.Utf8).Field("stuck_read"u8, "cmdline");
            }
        }
        line.Field("scan_ms"u8, answer.ElapsedMs, 3).Field("deadline_ms"u8, deadlineMs).End();
    }

    private static string ScanEndText(ScanEnd end) => end switch
    {
        ScanEnd.Deadline => "deadline",
        ScanEnd.SkippedStuck => "skipped-stuck",
        ScanEnd.OutOfFileDescriptors => "out-of-file-descriptors",
        ScanEnd.ListUnreadable => "list-unreadable",
        ScanEnd.NoFreeScanner => "no-free-scanner",
        _ => "complete",
    };

    public void Choice(in DecisionReport report, ReadOnlySpan<Candidate> ranked, int candidateCount, double scanMs, RuleSet rules,
        in ScanAnswer scan, ReadOnlySpan<byte> cmdline, Linux.Cgroups.CgroupFirstChooser? chooser = null)
    {
        Candidate chosen = ranked[report.ChoiceIndex];
        EventLog line = _log.Begin("choice"u8, EventLog.Warning)
            .Field("pid"u8, chosen.Pid)
            .Field("name"u8, chosen.Name.Utf8)
            .Field("start_ticks"u8, (long)chosen.StartTimeTicks)
            .Field("badness"u8, chosen.BadnessPages);
        if (!chosen.Rules.IsEmpty)
        {
            // The kernel's figure and the rules that moved it away from it (docs/rules.md).
            line.Field("base_badness"u8, chosen.BaseBadnessPages)
                .Field("rules"u8, _ruleNames.AsSpan(0, FormatRuleNames(rules, chosen.Rules, _ruleNames)));
        }
        line
            .Field("rss_mib"u8, chosen.RssKiB / 1024.0, 1)
            .Field("swap_mib"u8, chosen.SwapKiB / 1024.0, 1)
            .Field("shmem_mib"u8, chosen.RssShmemKiB / 1024.0, 1)
            .Field("held_mib"u8, Mib(report.HeldBytes), 1)
            .Field("adj"u8, chosen.OomScoreAdj)
            .Field("why"u8, report.ExcludedCount == 0 ? "highest badness in scope" : "highest badness not excluded by an earlier settle timeout, stuck exit or failure")
            .Field("candidates"u8, candidateCount)
            .Field("excluded"u8, ranked.Length - candidateCount + report.ExcludedCount)
            .Field("scan_ms"u8, scanMs, 3)
            .Field("scan_complete"u8, scan.IsComplete)
            .Field("skipped"u8, scan.Skipped);
        if (chosen.RulesPending)
        {
            // Its command line was not read by the deadline: rules on it did not move its badness.
            line.Field("rules_pending"u8, true);
        }
        if (!cmdline.IsEmpty)
        {
            // The arguments are NUL-separated: shown joined by spaces (other control bytes are escaped by the log).
            Span<byte> joined = stackalloc byte[ScannerThread.CmdlineBytes];
            int length = Math.Min(cmdline.Length, joined.Length);
            cmdline[..length].CopyTo(joined);
            while (length > 0 && joined[length - 1] == 0)
            {
                length--;
            }
            joined[..length].Replace((byte)0, (byte)' ');
            line.Field("cmdline"u8, joined[..length]);
        }
        if (chooser is { Groups.Count: > 0 })
        {
            // The cgroup-first order: the unit the victim came from, by which rule, and the units in order.
            Core.Cgroups.UnitGroup first = chooser.Groups[0];
            line.Field("cgroup"u8, first.Path)
                .Field("cgroup_rule"u8, chooser.Rule == Core.Cgroups.CgroupChoiceRule.Pressure
                    ? "highest memory.pressure (the trigger was PSI), then usage over memory.min/low"
                    : chooser.Kubernetes ? "pods by QoS class (best effort, burstable by usage over request, the node, guaranteed), then usage over memory.min/low" : "highest usage over memory.min/low")
                .Field("cgroup_over_mib"u8, Mib(first.OverProtectionBytes), 1)
                .BeginList("cgroups"u8);
            for (int i = 0; i < Math.Min(chooser.Groups.Count, MaxTopCandidatesLogged); i++)
            {
                Core.Cgroups.UnitGroup g = chooser.Groups[i];
                line.BeginItem().Field("path"u8, g.Path).Field("usage_mib"u8, Mib(g.UsageBytes), 1)
                    .Field("protection_mib"u8, Mib(g.ProtectionBytes), 1).Field("pressure_avg10"u8, g.PressureSomeAvg10, 2).EndItem();
            }
            line.EndList();
        }
        line.BeginList("top"u8);
        for (int i = 0; i < Math.Min(candidateCount, MaxTopCandidatesLogged); i++)
        {
            line.BeginItem()
                .Field("pid"u8, ranked[i].Pid)
                .Field("name"u8, ranked[i].Name.Utf8)
                .Field("badness"u8, ranked[i].BadnessPages)
                .Field("rss_mib"u8, ranked[i].RssKiB / 1024.0, 1)
                .Field("adj"u8, ranked[i].OomScoreAdj);
            if (!ranked[i].Rules.IsEmpty)
            {
                line.Field("rules"u8, _ruleNames.AsSpan(0, FormatRuleNames(rules, ranked[i].Rules, _ruleNames)));
            }
            line.EndItem();
        }
        line.EndList().End();
    }

    public void NoCandidate(in DecisionReport report, int processes, double scanMs)
    {
        _metrics.NoCandidate();
        _log.Begin("no-candidate"u8, EventLog.Error)
            .Field("why"u8, processes == 0 ? "no process in scope"
                : report.CandidateCount == 0 ? "every process in scope is excluded (init, kernel thread, reapd, oom_score_adj -1000, protected, ignored, no memory)"
                : "every candidate is excluded after an earlier settle timeout, stuck exit or failed signal")
            .Field("processes"u8, processes)
            .Field("candidates"u8, report.CandidateCount)
            .Field("excluded_by_gate"u8, report.ExcludedCount)
            .Field("retry_ms"u8, Escalation.NoCandidateBackoffMs)
            .Field("scan_ms"u8, scanMs, 3)
            .End();
    }

    /// <summary>
    /// One signal event. <paramref name="group"/>: what a SIGKILL did to the victim's memory.oom.group, if it has one —
    /// "scope=cgroup:/path" when the whole group was killed through cgroup.kill, else "group=" and why not.
    /// </summary>
    public void Signal(VictimId id, ReadOnlySpan<byte> name, KillSignal signal, string result, string? detail, Victim? victim, OomGroupKill? group = null,
        ReadOnlySpan<byte> rules = default, ScopeKill? scope = null)
    {
        _metrics.Signalled(signal, result);
        EventLog line = _log.Begin("signal"u8, EventLog.Warning, IsKill(signal, result) ? "kill"u8 : "signal"u8)
            .Field("pid"u8, id.Pid)
            .Field("name"u8, name)
            .Field("signal"u8, signal == KillSignal.SigTerm ? "SIGTERM"u8 : "SIGKILL"u8)
            .Field("result"u8, result);
        if (detail is not null)
        {
            line.Field("detail"u8, detail);
        }
        if (!rules.IsEmpty)
        {
            // Which rules touched the victim (journal: REAPD_RULES), so a kill can be traced to the configuration.
            line.Field("rules"u8, rules);
        }
        if (victim is not null && victim.Sharers.Count > 0)
        {
            line.BeginList("sharers"u8);
            foreach (Sharer sharer in victim.Sharers)
            {
                line.BeginItem().Field("pid"u8, sharer.Pid).Field("result"u8, sharer.KillOutcome?.Name() ?? "not signalled").EndItem();
            }
            line.EndList();
        }
        if (group is OomGroupKill g)
        {
            if (g.Outcome == OomGroupKillOutcome.Killed)
            {
                line.Field("scope"u8, "cgroup:" + g.Group).Field("group_processes"u8, g.Processes);
            }
            else
            {
                line.Field("group"u8, g.ToString());
            }
        }
        bool groupKilled = group is { Outcome: OomGroupKillOutcome.Killed };
        if (scope is { Outcome: ScopeKillOutcome.Killed })
        {
            // As for a memory.oom.group: the scope and how many processes died with the victim (its sharers aside).
            line.Field(groupKilled ? "kill_scope"u8 : "scope"u8, scope.Target).Field(groupKilled ? "kill_scope_processes"u8 : "group_processes"u8, scope.Signalled);
            if (scope.RefusedBy is (int pid, string why))
            {
                line.Field("scope_spared"u8, scope.Scope == KillScope.Cgroup
                    ? $"pid {pid} ({why}), found in the frozen unit after the re-check"
                    : $"pid {pid} ({why}), forked after the walk");
            }
            if (scope.Freeze is Linux.Kill.CgroupFreezeOutcome freeze && freeze != Linux.Kill.CgroupFreezeOutcome.Frozen)
            {
                // The v2 unit was not frozen for the re-check: only the members checked before died (docs/cgroups.md).
                line.Field("scope_freeze"u8, freeze switch
                {
                    Linux.Kill.CgroupFreezeOutcome.TimedOut => "timed-out",
                    Linux.Kill.CgroupFreezeOutcome.Unsupported => "unsupported",
                    _ => "gone",
                });
            }
        }
        else if (scope is not null)
        {
            line.Field(groupKilled ? "kill_scope"u8 : "scope"u8, "process").Field("scope_detail"u8, scope.Describe());
        }
        line.Field("dry_run"u8, _config.DryRun);
        line.End();
    }

    /// <summary>
    /// The names of the rules in <paramref name="hits"/>, comma-separated, into <paramref name="destination"/>; the
    /// length written. A list that does not fit ends in "..." (allocation-free: event lines are written in the loop).
    /// </summary>
    public static int FormatRuleNames(RuleSet rules, in RuleHits hits, Span<byte> destination)
    {
        int at = 0;
        for (int i = 0; i < hits.Count; i++)
        {
            ReadOnlySpan<byte> name = rules.NameUtf8(hits[i]);
            int needed = name.Length + (i > 0 ? 1 : 0);
            if (at + needed > destination.Length - 3)
            {
                "..."u8.CopyTo(destination[at..]);
                return at + 3;
            }
            if (i > 0)
            {
                destination[at++] = (byte)',';
            }
            name.CopyTo(destination[at..]);
            at += name.Length;
        }
        if (hits.Total > hits.Count && at + 4 <= destination.Length)
        {
            ",..."u8.CopyTo(destination[at..]);
            at += 4;
        }
        return at;
    }

    /// <summary>
    /// A kill, for the journal's REAPD_EVENT=kill: this event delivered a SIGKILL — to the victim (and its mm
    /// sharers), or to the sharers of a victim that exited on its SIGTERM. A SIGKILL that reached nobody (gone, not
    /// permitted, refused, dry run) is not one.
    /// </summary>
    internal static bool IsKill(KillSignal signal, string result) =>
        signal == KillSignal.SigKill && (result == nameof(SignalOutcome.Sent) || result == "sharers");

    public void Release(in DecisionReport report, ReadOnlySpan<byte> name)
    {
        _log.Begin("release"u8, EventLog.Notice)
            .Field("pid"u8, report.Victim.Pid)
            .Field("name"u8, name)
            .Field("held_at_choice_mib"u8, Mib(report.HeldBytes), 1)
            .Field("held_now_mib"u8, Mib(report.HeldNowBytes), 1)
            .Field("why"u8, "kill level reached during its SIGTERM grace; another process has outgrown it, it gives no memory back, and its kill alone would not lift memory above the term level: the SIGKILL goes to the new top candidate; this one's SIGTERM is not followed up")
            .End();
    }

    public void Reap(VictimId id, ReadOnlySpan<byte> name, ReapOutcome reap, int attempts, double reapMs, long heldBytes, bool exited, bool exitUnmapping)
    {
        _metrics.Reaped(reap);
        EventLog line = _log.Begin("reap"u8, EventLog.Notice)
            .Field("pid"u8, id.Pid)
            .Field("name"u8, name)
            .Field("result"u8, reap.Name())
            .Field("detail"u8, reap.Describe())
            .Field("attempts"u8, attempts)
            .Field("duration_ms"u8, reapMs, 3)
            .Field("held_mib"u8, Mib(heldBytes), 1)
            .Field("exited"u8, exited);
        if (exitUnmapping)
        {
            // Only when it happened: the settle then waits for the exit (docs/daemon.md, "The settle gate").
            line.Field("exit_unmapping"u8, true);
        }
        line.End();
    }

    public void ReapSlow(in DecisionReport report, ReadOnlySpan<byte> name)
    {
        _metrics.ReapSlow();
        _log.Begin("reap-slow"u8, EventLog.Warning)
            .Field("pid"u8, report.Victim.Pid)
            .Field("name"u8, name)
            .Field("waiting_ms"u8, report.InFlightMs)
            .Field("what"u8, "process_mrelease has not returned: the reaper thread waits in the kernel (an mm lock it cannot get); the decision goes on without it")
            .End();
    }

    public void Stuck(in DecisionReport report, ReadOnlySpan<byte> name, string waitChannel, string state)
    {
        _log.Begin("stuck"u8, EventLog.Error)
            .Field("pid"u8, report.Victim.Pid)
            .Field("name"u8, name)
            .Field("what"u8, "exit stuck in __mmput: process_mrelease gave ESRCH, the pidfd is not readable and the memory is not coming back (docs/kill-protocol.md); userspace cannot reap it")
            .Field("wchan"u8, waitChannel)
            .Field("state"u8, state)
            .Field("recovered_mib"u8, Mib(report.RecoveredBytes), 1)
            .End();
    }

    public void Settle(in DecisionReport report, ReadOnlySpan<byte> name, in MemorySample sample)
    {
        _metrics.Settled(report.Cause);
        EventLog line = _log.Begin("settle"u8, SettleRules.Excludes(report.Cause) ? EventLog.Error : EventLog.Notice)
            .Field("pid"u8, report.Victim.Pid)
            .Field("name"u8, name)
            .Field("reason"u8, CauseText(report.Cause))
            .Field("in_flight_ms"u8, report.InFlightMs)
            .Field("held_mib"u8, Mib(report.HeldBytes), 1)
            .Field("recovered_mib"u8, Mib(report.RecoveredBytes), 1)
            .Field("reaped"u8, report.Reaped)
            .Field("gone"u8, report.Gone)
            .Field("excluded"u8, report.Excluded)
            .Field("available_mib"u8, Mib(sample.AvailableBytes), 1);
        ListCredit(line, sample).End();
    }

    /// <summary>What the reading counts of a recent victim's memory on the kernel's per-CPU lists, when anything.</summary>
    private static EventLog ListCredit(EventLog line, in MemorySample sample) =>
        sample.ListCreditBytes > 0 ? line.Field("list_credit_mib"u8, Mib(sample.ListCreditBytes), 1) : line;

    /// <summary>What became of a kill hook or a desktop notification (the announcer's thread ran it; the loop logs it).</summary>
    public void Announced(AnnounceOutcome outcome)
    {
        bool ok = outcome.Result is "ok" or "sent";
        EventLog line = _log.Begin(outcome.What == AnnounceWhat.DesktopNotification ? "desktop-notify"u8 : "hook"u8, ok ? EventLog.Notice : EventLog.Warning);
        if (outcome.What is AnnounceWhat.BeforeKillHook or AnnounceWhat.AfterKillHook)
        {
            line.Field("when"u8, outcome.What == AnnounceWhat.BeforeKillHook ? "before-kill"u8 : "after-kill"u8);
        }
        if (outcome.VictimPid != 0)
        {
            line.Field("pid"u8, outcome.VictimPid).Field("name"u8, outcome.VictimName);
        }
        if (outcome.Program.Length > 0)
        {
            line.Field("program"u8, outcome.Program);
        }
        if (outcome.What == AnnounceWhat.DesktopNotification && outcome.Bus.Length > 0)
        {
            line.Field("uid"u8, (long)outcome.Uid).Field("bus"u8, outcome.Bus);
        }
        line.Field("result"u8, outcome.Result).Field("detail"u8, outcome.Detail);
        if (outcome.ChildPid != 0)
        {
            line.Field("child_pid"u8, outcome.ChildPid).Field("duration_ms"u8, outcome.DurationMs, 1);
        }
        line.End();
    }

    public void Warning(ReadOnlySpan<byte> what, string detail, int priority = EventLog.Warning)
    {
        _log.Begin("warning"u8, priority).Field("what"u8, what).Field("detail"u8, detail).End();
    }

    /// <param name="notifyFailed">Messages the service manager's socket refused; -1 when there is no service manager.</param>
    public void Stop(string reason, int sigterms, int sigkills, bool inFlight, long eventsDropped, long notifyFailed = -1)
    {
        EventLog line = _log.Begin("stop"u8, EventLog.Notice)
            .Field("reason"u8, reason)
            .Field("sigterms"u8, sigterms)
            .Field("sigkills"u8, sigkills)
            .Field("in_flight"u8, inFlight)
            .Field("events_dropped"u8, eventsDropped);
        if (notifyFailed >= 0)
        {
            line.Field("notify_failed"u8, notifyFailed);
        }
        line.End();
    }

    public static double Mib(long bytes) => bytes / 1048576.0;

    private static ReadOnlySpan<byte> ReasonText(DecisionReason reason) => reason switch
    {
        DecisionReason.TermLevel => "at or below the term level"u8,
        DecisionReason.KillLevel => "at or below the kill level"u8,
        DecisionReason.PsiFullStall => "sustained full memory stall"u8,
        DecisionReason.PsiSomeStall => "sustained some memory stall"u8,
        DecisionReason.Thrash => "thrashing: full memory stall while refaulting"u8,
        DecisionReason.GraceExpired => "SIGTERM grace expired"u8,
        DecisionReason.KillLevelDuringGrace => "kill level reached during the SIGTERM grace"u8,
        _ => "other"u8,
    };

    /// <summary>The condition's token, as in the trigger event and the reapd_triggers_total metric.</summary>
    public static ReadOnlySpan<byte> ConditionText(PressureCondition condition) => condition switch
    {
        PressureCondition.Memory => "memory"u8,
        PressureCondition.Swap => "swap"u8,
        PressureCondition.MemoryAndSwap => "memory+swap"u8,
        PressureCondition.PsiFull => "psi-full"u8,
        PressureCondition.PsiSome => "psi-some"u8,
        PressureCondition.Thrash => "thrash"u8,
        _ => "none"u8,
    };

    private static ReadOnlySpan<byte> CauseText(SettleCause cause) => cause switch
    {
        SettleCause.Reaped => "reaped"u8,
        SettleCause.ReapedShmemExit => "reaped-shmem-exit"u8,
        SettleCause.Exited => "exited"u8,
        SettleCause.StuckInMmput => "stuck-in-mmput"u8,
        SettleCause.Timeout => "timeout"u8,
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
        if ((wake & Wake.Reaper) != 0)
        {
            return "reaper"u8;
        }
        return (wake & Wake.Start) != 0 ? "start"u8 : "timer"u8;
    }
}
