using Reapd.Core.Daemon;
using static Reapd.Core.Tests.Daemon.Samples;

namespace Reapd.Core.Tests.Daemon;

public sealed class SettleGateTests
{
    private static readonly DaemonConfig Config = new() { SettleTimeoutMs = 5000, StuckGraceMs = 1000, PsiFullPercent = null };

    // A victim holding 400 MiB is SIGKILLed at t=1000 with 40 MiB available; then one sample is evaluated.
    public static TheoryData<string, ReapObservation, bool, long, long, bool, SettleVerdictKind, SettleReason> Table => new()
    {
        // case                                                       reap                       gone   now    avail cleared  verdict                         reason
        { "reaped and half of what it held is back: settled",         ReapObservation.Released,  false, 1050,  240, false, SettleVerdictKind.Settled,  SettleReason.MemoryBack },
        { "gone and all of it is back: settled",                      ReapObservation.NoMm,      true,  1080,  440, false, SettleVerdictKind.Settled,  SettleReason.MemoryBack },
        { "reaped, little back, but the condition cleared: settled",  ReapObservation.Released,  false, 1050,  140, true,  SettleVerdictKind.Settled,  SettleReason.ConditionCleared },
        { "memory back but neither reaped nor gone: in flight",       ReapObservation.Refused,   false, 1050,  440, true,  SettleVerdictKind.InFlight, default },
        { "reaped but memory not yet back: in flight",                ReapObservation.Released,  false, 1050,  100, false, SettleVerdictKind.InFlight, default },
        { "FUSE-stuck thread, reaped, memory back, pidfd never readable: settled", ReapObservation.Released, false, 1120, 420, false, SettleVerdictKind.Settled, SettleReason.MemoryBack },
        { "ESRCH, exiting normally, memory falling: in flight",       ReapObservation.NoMm,      false, 2100,  150, false, SettleVerdictKind.InFlight, default },
        { "ESRCH, pidfd not readable, memory not moving: stuck",      ReapObservation.NoMm,      false, 2000,   45, false, SettleVerdictKind.Settled,  SettleReason.StuckInMmput },
        { "ESRCH, not yet past the stuck grace: in flight",           ReapObservation.NoMm,      false, 1900,   40, false, SettleVerdictKind.InFlight, default },
        { "settle timeout with nothing back: settled by timeout",     ReapObservation.Refused,   false, 6000,   40, false, SettleVerdictKind.Settled,  SettleReason.Timeout },
        { "just before the settle timeout: in flight",                ReapObservation.Refused,   false, 5999,   40, false, SettleVerdictKind.InFlight, default },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void The_settle_gate_decides_by_the_table(string @case, ReapObservation reap, bool gone, long nowMs, long availableMiB, bool cleared, SettleVerdictKind kind, SettleReason reason)
    {
        var gate = new SettleGate(Config);
        gate.Killed(Victim, 400 * MiB, At(1000, 40));
        gate.ReapReturned(reap, 1000);
        if (gone)
        {
            gate.VictimGone(1070);
        }
        SettleVerdict verdict = gate.Evaluate(At(nowMs, availableMiB), cleared);
        Assert.True(kind == verdict.Kind, $"{@case}: got {verdict.Kind}/{verdict.Reason}");
        if (kind == SettleVerdictKind.Settled)
        {
            Assert.True(reason == verdict.Reason, $"{@case}: got {verdict.Reason}");
            Assert.Equal(VictimPhase.None, gate.Phase);
            Assert.Equal(reason is SettleReason.Timeout or SettleReason.StuckInMmput, gate.Exclusions.Contains(Victim));
        }
        else
        {
            Assert.Equal(VictimPhase.Killed, gate.Phase);
        }
    }

    [Fact]
    public void An_in_flight_victim_blocks_a_new_choice_until_its_memory_is_back_then_the_next_choice_is_allowed()
    {
        var governor = new Governor(Config);
        var gate = new SettleGate(Config);

        MemorySample low = At(1000, 40);
        Assert.Equal(DecisionKind.Kill, governor.Decide(low, gate.Status).Kind);
        gate.Killed(Victim, 100 * MiB, low);
        gate.ReapReturned(ReapObservation.Released, 1040);

        // Still low a moment later (the reading lags the reap): in flight, the governor waits.
        MemorySample stillLow = At(1041, 45);
        Assert.Equal(SettleVerdictKind.InFlight, gate.Evaluate(stillLow, governor.Assess(stillLow) == PressureLevel.None).Kind);
        Assert.Equal(DecisionKind.Wait, governor.Decide(stillLow, gate.Status).Kind);

        // Memory back (but a second allocator keeps the scope at the term level): settled, and the next choice is allowed.
        MemorySample back = At(1060, 95);
        PressureLevel level = governor.Assess(back);
        SettleVerdict verdict = gate.Evaluate(back, level == PressureLevel.None);
        Assert.Equal((SettleVerdictKind.Settled, SettleReason.MemoryBack), (verdict.Kind, verdict.Reason));
        Assert.Equal(55 * MiB, verdict.RecoveredBytes);
        Assert.Equal(DecisionKind.Terminate, governor.Decide(level, back.TimeMs, gate.Status).Kind);
        Assert.False(gate.Exclusions.Contains(Victim));
    }

    [Fact]
    public void The_settle_timeout_path_excludes_the_victim_from_the_next_choice()
    {
        var governor = new Governor(Config);
        var gate = new SettleGate(Config);
        gate.Killed(Victim, 300 * MiB, At(1000, 40));
        gate.ReapReturned(ReapObservation.Refused, 1001);

        SettleVerdict verdict = gate.Evaluate(At(1000 + Config.SettleTimeoutMs, 40), conditionCleared: false);
        Assert.Equal((SettleVerdictKind.Settled, SettleReason.Timeout), (verdict.Kind, verdict.Reason));
        Assert.Equal(Config.SettleTimeoutMs, verdict.InFlightMs);

        Choice next = governor.Choose([Victim, Other], gate.Exclusions, 6000);
        Assert.Equal(1, next.Index);
    }

    [Fact]
    public void The_memory_rise_is_measured_from_the_lowest_point_since_the_signal()
    {
        var gate = new SettleGate(Config);
        gate.Killed(Victim, 200 * MiB, At(1000, 60));
        gate.ReapReturned(ReapObservation.Released, 1010);
        // Another allocator took 40 MiB more before the victim's memory showed up.
        Assert.Equal(SettleVerdictKind.InFlight, gate.Evaluate(At(1005, 20), false).Kind);
        SettleVerdict verdict = gate.Evaluate(At(1020, 125), false);
        Assert.Equal((SettleVerdictKind.Settled, SettleReason.MemoryBack), (verdict.Kind, verdict.Reason));
        Assert.Equal(105 * MiB, verdict.RecoveredBytes);
    }

    [Fact]
    public void A_victim_that_exits_on_SIGTERM_settles_once_its_memory_is_back()
    {
        var governor = new Governor(Config);
        var gate = new SettleGate(Config);
        gate.Terminated(Victim, 300 * MiB, At(1000, 80));
        Assert.Equal(SettleVerdictKind.InFlight, gate.Evaluate(At(1100, 80), false).Kind);
        Assert.Equal(DecisionKind.Wait, governor.Decide(At(1100, 80), gate.Status).Kind);

        gate.VictimGone(1200);
        SettleVerdict verdict = gate.Evaluate(At(1210, 380), true);
        Assert.Equal((SettleVerdictKind.Settled, SettleReason.MemoryBack), (verdict.Kind, verdict.Reason));
        Assert.False(verdict.Reaped);
        Assert.True(verdict.Gone);
    }

    [Fact]
    public void Escalation_keeps_the_same_victim_in_flight()
    {
        var governor = new Governor(Config);
        var gate = new SettleGate(Config);
        gate.Terminated(Victim, 300 * MiB, At(1000, 80));
        GovernorDecision decision = governor.Decide(At(4000, 80), gate.Status);
        Assert.Equal(DecisionKind.Escalate, decision.Kind);
        Assert.Equal(Victim, gate.Status.Victim);

        gate.Killed(gate.Victim, 300 * MiB, At(4000, 80));
        Assert.Equal(VictimPhase.Killed, gate.Phase);
        Assert.Throws<InvalidOperationException>(() => gate.Killed(Other, MiB, At(4001, 80)));
    }

    [Fact]
    public void A_victim_stuck_in_mmput_is_reported_as_such_and_excluded()
    {
        var gate = new SettleGate(Config);
        gate.Killed(Victim, 1024 * MiB, At(1000, 40));
        gate.ReapReturned(ReapObservation.NoMm, 1001);
        Assert.Equal(SettleVerdictKind.InFlight, gate.Evaluate(At(1500, 41), false).Kind);
        SettleVerdict verdict = gate.Evaluate(At(2001, 41), false);
        Assert.Equal((SettleVerdictKind.Settled, SettleReason.StuckInMmput), (verdict.Kind, verdict.Reason));
        Assert.False(verdict.Gone);
        Assert.True(gate.Exclusions.Contains(Victim));
    }

    [Fact]
    public void A_dry_run_settles_on_the_timeout_without_excluding_anyone()
    {
        var gate = new SettleGate(Config with { DryRun = true });
        gate.Killed(Victim, 300 * MiB, At(1000, 40));
        SettleVerdict verdict = gate.Evaluate(At(6000, 40), false);
        Assert.Equal((SettleVerdictKind.Settled, SettleReason.DryRun), (verdict.Kind, verdict.Reason));
        Assert.False(gate.Exclusions.Contains(Victim));
    }

    [Fact]
    public void The_deadline_is_the_grace_while_terminating_and_the_settle_timeout_once_killed()
    {
        var gate = new SettleGate(Config with { GraceMs = 3000 });
        Assert.Equal(long.MaxValue, gate.MsUntilDeadline(0));
        gate.Terminated(Victim, MiB, At(1000, 80));
        Assert.Equal(2500, gate.MsUntilDeadline(1500));
        gate.Killed(Victim, MiB, At(2000, 40));
        Assert.Equal(4000, gate.MsUntilDeadline(3000));
    }
}
