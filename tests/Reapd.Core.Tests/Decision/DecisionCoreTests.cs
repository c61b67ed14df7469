using Reapd.Core.Daemon;
using Reapd.Core.Decision;
using Reapd.Testing;
using static Reapd.Core.Tests.Decision.CoreDriver;

namespace Reapd.Core.Tests.Decision;

public sealed class DecisionCoreTests
{
    private static readonly VictimId Big = new(4242, 1000);
    private static readonly VictimId Small = new(4343, 2000);
    private static readonly VictimId Third = new(4444, 3000);

    [Fact]
    public void A_healthy_sample_asks_for_nothing()
    {
        var d = new CoreDriver();
        Assert.Empty(d.Sample(1000, 500));
        Assert.Equal(VictimPhase.None, d.State.Phase);
    }

    [Fact]
    public void At_the_term_level_it_scans_chooses_the_top_candidate_and_sends_it_SIGTERM()
    {
        var d = new CoreDriver();
        Assert.Equal("report:trigger scan:choose", d.Sample(1000, 90).Words());
        Assert.Equal("report:choice signal:sigterm:4242", d.Scanned(1000, Ranked(Big, 400), Ranked(Small, 100)).Words());
        Assert.Empty(d.Signalled(1000, SignalResult.Sent));
        Assert.Equal(VictimPhase.Terminating, d.State.Phase);
        Assert.Equal(Big, d.State.Victim);
    }

    [Fact]
    public void At_the_kill_level_it_sends_SIGKILL_and_hands_the_victim_to_the_reaper_at_once()
    {
        var d = new CoreDriver();
        Assert.Equal("report:trigger scan:choose", d.Sample(1000, 40).Words());
        Assert.Equal("report:choice signal:sigkill:4242", d.Scanned(1000, Ranked(Big, 400)).Words());
        Assert.Equal("reap:4242", d.Signalled(1000, SignalResult.Sent).Words());
        Assert.Equal(VictimPhase.Killed, d.State.Phase);
        Assert.Equal(ReapState.InFlight, d.State.Reap);
    }

    [Fact]
    public void No_second_victim_is_chosen_while_the_first_is_in_flight()
    {
        var d = new CoreDriver();
        d.KillAt(1000, 40, Ranked(Big, 400), Ranked(Small, 100));
        for (long t = 1010; t < 3000; t += 10)
        {
            Assert.DoesNotContain(d.Sample(t, 10), c => c.Kind is CommandKind.Scan or CommandKind.Signal);
        }
    }

    [Fact]
    public void A_reaped_victim_settles_at_once_even_while_others_keep_eating_the_memory_and_the_next_victim_follows()
    {
        // The measured failure of the old gate: reaped and gone, but available kept falling because other allocators
        // absorbed what was freed, so "memory back by half" never came and the gate held for the full timeout.
        var d = new CoreDriver();
        d.KillAt(1000, 40, Ranked(Big, 400), Ranked(Small, 300));
        d.ReapAnswered(1004, ReapObservation.Released);
        List<Command> next = d.Sample(1005, 30);
        Assert.Equal("report:settled:reaped release:4242 restart-stall report:trigger scan:choose", next.Words());
        Assert.Equal("report:choice signal:sigkill:4343", d.Scanned(1005, Ranked(Small, 300)).Words());
    }

    [Fact]
    public void A_victim_whose_pidfd_became_readable_settles_as_exited()
    {
        var d = new CoreDriver();
        d.KillAt(1000, 40, Ranked(Big, 400));
        d.ReapAnswered(1003, ReapObservation.NoMm);
        d.Exited(1020, victim: true);
        Command settled = d.Sample(1021, 45).Single(c => c.Kind == CommandKind.Report && c.Report.Kind == ReportKind.Settled);
        Assert.Equal(SettleCause.Exited, settled.Report.Cause);
        Assert.False(settled.Report.Excluded);
    }

    [Fact]
    public void A_victim_that_exited_while_its_mm_sharer_lives_is_not_settled_until_the_sharer_exits_too()
    {
        var d = new CoreDriver();
        d.Sample(1000, 40);
        d.Scanned(1000, Ranked(Big, 400));
        d.Signalled(1000, SignalResult.Sent, liveSharers: 1);
        d.ReapAnswered(1002, ReapObservation.NoMm);
        d.Exited(1010, victim: true, liveSharers: 1);
        Assert.DoesNotContain(d.Sample(1011, 40), c => c.Report.Kind == ReportKind.Settled && c.Kind == CommandKind.Report);
        d.Exited(1020, victim: true, liveSharers: 0);
        Assert.Contains("report:settled:exited", d.Sample(1021, 400).Words());
    }

    [Fact]
    public void An_ESRCH_victim_whose_memory_does_not_move_is_stuck_after_the_stuck_grace_and_excluded()
    {
        var d = new CoreDriver(new DaemonConfig { PsiFullPercent = null, StuckGraceMs = 1000 });
        d.KillAt(1000, 40, Ranked(Big, 400), Ranked(Small, 100));
        d.ReapAnswered(1005, ReapObservation.NoMm);
        Assert.DoesNotContain("settled", d.Sample(2004, 40).Words());
        List<Command> stuck = d.Sample(2005, 40);
        Assert.StartsWith("report:stuck report:settled:stuckinmmput release:4242", stuck.Words());
        Assert.True(d.State.Exclusions.Contains(Big));
        Assert.Equal("report:choice signal:sigkill:4343", d.Scanned(2005, Ranked(Big, 400), Ranked(Small, 100)).Words());
    }

    [Fact]
    public void An_ESRCH_victim_whose_exit_keeps_freeing_memory_is_slow_not_stuck()
    {
        var d = new CoreDriver(new DaemonConfig { PsiFullPercent = null, StuckGraceMs = 1000, SettleTimeoutMs = 5000 });
        d.KillAt(1000, 40, Ranked(Big, 400));
        d.ReapAnswered(1005, ReapObservation.NoMm);
        // A CPU-starved exit_mmap: 20 MiB back every 600 ms, more than 1/32 of what it held (12.5 MiB).
        long available = 40;
        for (long t = 1600; t < 6000; t += 600)
        {
            available += 20;
            Assert.DoesNotContain("stuck", d.Sample(t, available).Words());
        }
        Assert.Equal(VictimPhase.Killed, d.State.Phase);
    }

    [Fact]
    public void A_shmem_heavy_victim_is_not_settled_by_its_reap_alone_but_by_its_exit()
    {
        var d = new CoreDriver(new DaemonConfig { PsiFullPercent = null, ShmemExitWaitMs = 1000 });
        d.KillAt(1000, 40, Ranked(Big, 100, shmemMiB: 300));
        d.ReapAnswered(1003, ReapObservation.Released);
        Assert.DoesNotContain("settled", d.Sample(1004, 40).Words());
        d.Exited(1200, victim: true);
        Assert.Contains("report:settled:exited", d.Sample(1201, 300).Words());
    }

    [Fact]
    public void A_shmem_heavy_victim_that_does_not_exit_holds_the_gate_only_for_the_short_shmem_wait()
    {
        var d = new CoreDriver(new DaemonConfig { PsiFullPercent = null, ShmemExitWaitMs = 1000 });
        d.KillAt(1000, 40, Ranked(Big, 100, shmemMiB: 300));
        d.ReapAnswered(1003, ReapObservation.Released);
        Assert.DoesNotContain("settled", d.Sample(2002, 40).Words());
        List<Command> commands = d.Sample(2003, 40);
        Assert.Contains("report:settled:reapedshmemexit", commands.Words());
        // Still there, SIGKILLed and reaped: never chosen again (it would free nothing; ModelFoundTests).
        Assert.True(d.State.Exclusions.Contains(Big));
    }

    [Fact]
    public void A_victim_that_neither_reaps_nor_exits_settles_by_the_timeout_is_reported_and_excluded()
    {
        var d = new CoreDriver(new DaemonConfig { PsiFullPercent = null, SettleTimeoutMs = 5000 });
        d.KillAt(1000, 40, Ranked(Big, 400));
        d.ReapAnswered(1100, ReapObservation.Refused);
        Assert.DoesNotContain("settled", d.Sample(5999, 40).Words());
        Command settled = d.Sample(6000, 40).First(c => c.Kind == CommandKind.Report && c.Report.Kind == ReportKind.Settled);
        Assert.Equal(SettleCause.Timeout, settled.Report.Cause);
        Assert.True(settled.Report.Excluded);
        Assert.True(d.State.Exclusions.Contains(Big));
    }

    [Fact]
    public void A_reap_that_never_answers_is_reported_as_slow_never_waited_for_and_its_late_answer_is_ignored()
    {
        var d = new CoreDriver(new DaemonConfig { PsiFullPercent = null, SettleTimeoutMs = 5000, ReapSlowReportMs = 1000 });
        d.KillAt(1000, 40, Ranked(Big, 400));
        Assert.DoesNotContain("reapslow", d.Sample(1999, 40).Words());
        Assert.Equal("report:reapslow", d.Sample(2000, 40).Words());
        Assert.DoesNotContain("reapslow", d.Sample(2500, 40).Words());
        Assert.Contains("report:settled:timeout", d.Sample(6000, 40).Words());
        Assert.Empty(d.ReapAnswered(6100, ReapObservation.Released));
        Assert.Equal(VictimPhase.None, d.State.Phase);
    }

    [Fact]
    public void A_core_dumping_victim_waits_for_its_exit()
    {
        var d = new CoreDriver();
        d.KillAt(1000, 40, Ranked(Big, 400));
        d.ReapAnswered(1002, ReapObservation.CoreDumping);
        Assert.Equal(ReapState.CoreDumping, d.State.Reap);
        Assert.DoesNotContain("settled", d.Sample(3000, 40).Words());
        d.Exited(3500, victim: true);
        Assert.Contains("report:settled:exited", d.Sample(3501, 400).Words());
    }

    [Fact]
    public void When_the_grace_expires_the_same_victim_gets_SIGKILL_without_a_new_scan()
    {
        var d = new CoreDriver(new DaemonConfig { PsiFullPercent = null, GraceMs = 3000 });
        d.Sample(1000, 90);
        d.Scanned(1000, Ranked(Big, 400));
        d.Signalled(1000, SignalResult.Sent);
        Assert.Empty(d.Sample(3999, 90));
        Assert.Equal("report:trigger signal:sigkill:4242", d.Sample(4000, 90).Words());
        Assert.Equal("reap:4242", d.Signalled(4000, SignalResult.Sent).Words());
        Assert.Equal(VictimPhase.Killed, d.State.Phase);
    }

    /// <summary>
    /// SIGTERMed victim held 400 MiB at its choice, the runner-up 100 MiB; at the kill level (40 MiB available, term line
    /// 100 MiB) a fresh scan.
    /// </summary>
    public static TheoryData<string, long, long, string> RetargetTable => new()
    {
        // case                                                                        victim now  other   commands after the retarget scan
        { "shrinking: its memory is coming back, the SIGKILL stays with it",              300,      900,   "signal:sigkill:4242" },
        { "outgrown by a slow grower: its kill alone lifts memory above the line",        400,      420,   "signal:sigkill:4242" },
        { "outgrown by an allocator that ate more than its kill gives back: retarget",    400,      900,   "report:retarget release:4242 report:choice signal:sigkill:4343" },
        { "still on top: it stays with it",                                               400,      100,   "signal:sigkill:4242" },
    };

    [Theory]
    [MemberData(nameof(RetargetTable))]
    public void At_the_kill_level_during_a_grace_the_SIGKILL_goes_where_the_retarget_rule_says(string @case, long victimNowMiB, long otherMiB, string expected)
    {
        var d = new CoreDriver();
        d.Sample(1000, 90);
        d.Scanned(1000, Ranked(Big, 400), Ranked(Small, 100));
        d.Signalled(1000, SignalResult.Sent);
        Assert.Equal("report:trigger scan:retarget", d.Sample(1500, 40).Words());
        RankedVictim[] ranked = otherMiB > victimNowMiB
            ? [Ranked(Small, otherMiB), Ranked(Big, victimNowMiB)]
            : [Ranked(Big, victimNowMiB), Ranked(Small, otherMiB)];
        Assert.True(expected == d.Scanned(1500, ranked).Words(), @case);
    }

    [Fact]
    public void A_small_SIGTERMed_victim_outgrown_by_an_allocator_is_released_and_the_allocator_gets_the_one_SIGKILL()
    {
        var d = new CoreDriver();
        d.Sample(1000, 90);
        d.Scanned(1000, Ranked(Small, 40), Ranked(Big, 30));
        d.Signalled(1000, SignalResult.Sent);
        d.Sample(1500, 40);
        // The small one ignores SIGTERM (still 40 MiB): killing it would lift available to 80 MiB, below the term line.
        Assert.Equal("report:retarget release:4343 report:choice signal:sigkill:4242",
            d.Scanned(1500, Ranked(Big, 600), Ranked(Small, 40)).Words());
        Assert.Equal("reap:4242", d.Signalled(1500, SignalResult.Sent).Words());
        Assert.Equal(Big, d.State.Victim);
    }

    [Fact]
    public void A_SIGTERMed_victim_that_exits_in_its_grace_while_sharers_keep_its_mm_gets_its_sharers_killed_and_reaped()
    {
        var d = new CoreDriver();
        d.Sample(1000, 90);
        d.Scanned(1000, Ranked(Big, 400));
        d.Signalled(1000, SignalResult.Sent, liveSharers: 1);
        Assert.Equal("killsharers:4242 reap:4242", d.Exited(1200, victim: true, liveSharers: 1).Words());
        d.ReapAnswered(1203, ReapObservation.Released);
        Assert.Contains("report:settled:reaped", d.Sample(1204, 90).Words());
    }

    [Fact]
    public void A_SIGTERMed_victim_without_sharers_that_exits_in_its_grace_settles_as_exited_with_no_SIGKILL()
    {
        var d = new CoreDriver();
        d.Sample(1000, 90);
        d.Scanned(1000, Ranked(Big, 400));
        d.Signalled(1000, SignalResult.Sent);
        Assert.Empty(d.Exited(1200, victim: true));
        List<Command> commands = d.Sample(1201, 95);
        Assert.Contains("report:settled:exited", commands.Words());
        Assert.DoesNotContain(d.Emitted, c => c.Kind == CommandKind.Signal && c.Signal == KillSignal.SigKill);
    }

    [Fact]
    public void A_reused_PID_is_dropped_without_exclusion_and_the_next_scan_chooses_again()
    {
        var d = new CoreDriver();
        d.Sample(1000, 40);
        d.Scanned(1000, Ranked(Big, 400));
        Assert.Equal("release:4242", d.Signalled(1000, SignalResult.PidReused).Words());
        Assert.Equal(VictimPhase.None, d.State.Phase);
        Assert.False(d.State.Exclusions.Contains(Big));
        Assert.Equal("report:trigger scan:choose", d.Sample(1001, 40).Words());
    }

    [Fact]
    public void A_victim_with_a_protected_mm_sharer_is_excluded_and_another_is_chosen_as_the_kernel_does()
    {
        var d = new CoreDriver();
        d.Sample(1000, 40);
        d.Scanned(1000, Ranked(Big, 400), Ranked(Small, 100));
        Assert.Equal("release:4242", d.Signalled(1000, SignalResult.SharerExcluded).Words());
        Assert.True(d.State.Exclusions.Contains(Big));
        d.Sample(1001, 40);
        Assert.Equal("report:choice signal:sigkill:4343", d.Scanned(1001, Ranked(Big, 400), Ranked(Small, 100)).Words());
    }

    [Fact]
    public void Nobody_eligible_is_reported_and_the_next_scan_waits_for_the_back_off()
    {
        var d = new CoreDriver();
        d.Sample(1000, 40);
        List<Command> none = d.Scanned(1000);
        Command report = Assert.Single(none);
        Assert.Equal(ReportKind.NoCandidate, report.Report.Kind);
        Assert.Empty(d.Sample(1999, 40));
        Assert.Equal("report:trigger scan:choose", d.Sample(2000, 40).Words());
    }

    [Fact]
    public void In_a_dry_run_nothing_is_reaped_and_the_victim_settles_by_the_timeout_without_exclusion()
    {
        var d = new CoreDriver(new DaemonConfig { PsiFullPercent = null, DryRun = true, SettleTimeoutMs = 5000 });
        d.Sample(1000, 40);
        d.Scanned(1000, Ranked(Big, 400));
        Assert.Empty(d.Signalled(1000, SignalResult.DryRun));
        List<Command> settled = d.Sample(6000, 40);
        Assert.Contains("report:settled:dryrun", settled.Words());
        Assert.False(d.State.Exclusions.Contains(Big));
    }

    [Fact]
    public void A_sustained_full_stall_is_a_kill_trigger_of_its_own_and_says_so()
    {
        var d = new CoreDriver(new DaemonConfig { PsiFullPercent = 60 });
        d.Core.OnSample(At(1000, 500) with { PsiFullWindowPercent = 75 });
        Assert.True(d.Core.Commands.TryDequeue(out Command trigger));
        Assert.Equal(ReportKind.Trigger, trigger.Report.Kind);
        Assert.Equal(DecisionReason.PsiFullStall, trigger.Report.Reason);
        Assert.Equal(DecisionKind.Kill, trigger.Report.Decision);
    }

    [Fact]
    public void The_stall_a_kill_answered_does_not_trigger_a_second_kill_in_the_sample_where_its_victim_settles()
    {
        // Found in the QEMU guests (zram thrash, docs/platforms.md): the sample that settles the victim still carries the
        // stall share of the window the kill answered; assessed after the settle, it killed again with memory plentiful.
        var d = new CoreDriver(new DaemonConfig { PsiFullPercent = 30 });
        d.Core.OnSample(At(1000, 500) with { PsiFullWindowPercent = 35 });
        d.Scanned(1000, Ranked(Big, 400), Ranked(Small, 100));
        d.Signalled(1000, SignalResult.Sent);
        d.ReapAnswered(1003, ReapObservation.Released);
        d.Core.OnSample(At(1004, 900) with { PsiFullWindowPercent = 35 });
        var commands = new List<Command>();
        while (d.Core.Commands.TryDequeue(out Command c))
        {
            commands.Add(c);
        }
        Assert.Equal("report:settled:reaped release:4242 restart-stall", commands.Words());
    }

    [Fact]
    public void An_answer_the_core_did_not_ask_for_is_a_broken_invariant()
    {
        var d = new CoreDriver();
        Assert.Throws<InvalidOperationException>(() => d.Core.OnScanned([], 1000));
        Assert.Throws<InvalidOperationException>(() => d.Core.OnSignalled(SignalResult.Sent, 0, 1000));
    }

    [Fact]
    public void The_next_wake_is_cut_short_by_the_victims_next_deadline()
    {
        var d = new CoreDriver(new DaemonConfig { PsiFullPercent = null, GraceMs = 3000 });
        d.Sample(1000, 90);
        d.Scanned(1000, Ranked(Big, 400));
        d.Signalled(1000, SignalResult.Sent);
        Assert.Equal(0, d.Core.NextWakeMs(At(4000, 90)));
        Assert.InRange(d.Core.NextWakeMs(At(3995, 99)), 0, 5);
    }

    [Fact]
    public void A_quiet_sample_allocates_nothing()
    {
        var core = new DecisionCore(new DaemonConfig { PsiFullPercent = null });
        MemorySample sample = At(1000, 500);
        core.OnSample(sample);
        long timeMs = 1000;
        Assert.Equal(0, ThreadAllocation.Measure(10, () =>
        {
            for (int i = 0; i < 100; i++, timeMs++)
            {
                core.OnSample(sample with { TimeMs = timeMs });
                _ = core.NextWakeMs(sample);
            }
        }));
    }
}
