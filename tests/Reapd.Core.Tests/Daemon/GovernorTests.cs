using Reapd.Core.Daemon;
using static Reapd.Core.Tests.Daemon.Samples;

namespace Reapd.Core.Tests.Daemon;

public sealed class GovernorTests
{
    private static readonly DaemonConfig Defaults = new() { PsiFullPercent = null };

    // Defaults: term at 10 % (100 MiB of 1000), kill at 5 % (50 MiB), grace 3 s.
    public static TheoryData<string, long, long, VictimPhase, long, DecisionKind, DecisionReason> Table => new()
    {
        // case                                          now    avail  phase                    termSent kind                      reason
        { "plenty of memory, no victim: nothing",         1000,  500,  VictimPhase.None,         0,      DecisionKind.Nothing,     DecisionReason.Healthy },
        { "just above the term level: nothing",           1000,  101,  VictimPhase.None,         0,      DecisionKind.Nothing,     DecisionReason.Healthy },
        { "at the term level: SIGTERM the top candidate", 1000,  100,  VictimPhase.None,         0,      DecisionKind.Terminate,   DecisionReason.TermLevel },
        { "between term and kill: SIGTERM",               1000,   70,  VictimPhase.None,         0,      DecisionKind.Terminate,   DecisionReason.TermLevel },
        { "at the kill level with no victim: SIGKILL",    1000,   50,  VictimPhase.None,         0,      DecisionKind.Kill,        DecisionReason.KillLevel },
        { "an in-flight victim blocks a new choice",      1000,   10,  VictimPhase.Killed,       0,      DecisionKind.Wait,        DecisionReason.VictimInFlight },
        { "in flight even when memory is fine: wait",     1000,  900,  VictimPhase.Killed,       0,      DecisionKind.Wait,        DecisionReason.VictimInFlight },
        { "grace running above the kill level: wait",     2000,   80,  VictimPhase.Terminating,  1000,   DecisionKind.Wait,        DecisionReason.GraceRunning },
        { "grace expiry escalates the same victim",       4000,   80,  VictimPhase.Terminating,  1000,   DecisionKind.Escalate,    DecisionReason.GraceExpired },
        { "grace expiry escalates even when cleared",     4000,  600,  VictimPhase.Terminating,  1000,   DecisionKind.Escalate,    DecisionReason.GraceExpired },
        { "crossing the kill level during the grace escalates at once", 1001, 50, VictimPhase.Terminating, 1000, DecisionKind.Escalate, DecisionReason.KillLevelDuringGrace },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void The_governor_decides_by_the_table(string @case, long nowMs, long availableMiB, VictimPhase phase, long termSentMs, DecisionKind kind, DecisionReason reason)
    {
        var governor = new Governor(Defaults);
        var victim = phase == VictimPhase.None ? VictimStatus.NoVictim : new VictimStatus(phase, Victim, termSentMs);
        GovernorDecision decision = governor.Decide(At(nowMs, availableMiB), victim);
        Assert.True(kind == decision.Kind && reason == decision.Reason, $"{@case}: got {decision.Kind}/{decision.Reason}");
    }

    public static TheoryData<string, long, long, long, PressureLevel> SwapTable => new()
    {
        // case                                                   avail  swapFree swapTotal level
        { "no swap at all: memory alone decides (term)",           100,      0,       0,   PressureLevel.Term },
        { "no swap at all: memory alone decides (kill)",            40,      0,       0,   PressureLevel.Kill },
        { "swap with room: low memory is not yet an emergency",     40,    900,    1000,   PressureLevel.None },
        { "swap low too: term",                                     90,     90,    1000,   PressureLevel.Term },
        { "swap low, memory at kill, swap only at term: term",      40,     90,    1000,   PressureLevel.Term },
        { "both at the kill level: kill",                           40,     40,    1000,   PressureLevel.Kill },
        { "swap exhausted but memory fine: nothing",               600,      0,    1000,   PressureLevel.None },
    };

    [Theory]
    [MemberData(nameof(SwapTable))]
    public void Low_swap_counts_only_where_there_is_swap(string @case, long availableMiB, long swapFreeMiB, long swapTotalMiB, PressureLevel expected)
    {
        var governor = new Governor(Defaults);
        PressureLevel level = governor.Assess(At(1000, availableMiB, swapFreeMiB: swapFreeMiB, swapTotalMiB: swapTotalMiB));
        Assert.True(expected == level, $"{@case}: got {level}");
    }

    [Fact]
    public void A_victim_that_exited_on_SIGTERM_is_not_escalated_even_at_the_kill_level()
    {
        var governor = new Governor(Defaults);
        GovernorDecision decision = governor.Decide(At(1001, 40), new VictimStatus(VictimPhase.Terminating, Victim, 1000, Gone: true));
        Assert.Equal((DecisionKind.Wait, DecisionReason.VictimInFlight), (decision.Kind, decision.Reason));
    }

    [Fact]
    public void Nothing_is_chosen_when_no_candidate_is_eligible_and_that_is_reported()
    {
        var governor = new Governor(Defaults);
        var exclusions = new VictimExclusions();
        exclusions.Add(Victim);

        GovernorDecision first = governor.Decide(At(1000, 80), VictimStatus.NoVictim);
        Assert.Equal(DecisionKind.Terminate, first.Kind);

        Choice none = governor.Choose([], exclusions, 1000);
        Assert.False(none.Found);
        Choice allExcluded = governor.Choose([Victim], exclusions, 1000);
        Assert.False(allExcluded.Found);
        Assert.Equal(1, allExcluded.ExcludedCount);

        // Right after an empty choice the governor does not ask for another scan at once ...
        GovernorDecision backoff = governor.Decide(At(1500, 80), VictimStatus.NoVictim);
        Assert.Equal((DecisionKind.Wait, DecisionReason.NoCandidateRecently), (backoff.Kind, backoff.Reason));
        // ... but asks again after the backoff.
        GovernorDecision again = governor.Decide(At(1000 + Governor.NoCandidateBackoffMs, 80), VictimStatus.NoVictim);
        Assert.Equal(DecisionKind.Terminate, again.Kind);
    }

    [Fact]
    public void The_choice_skips_excluded_victims_and_takes_the_next_ranked_one()
    {
        var governor = new Governor(Defaults);
        var exclusions = new VictimExclusions();
        exclusions.Add(Victim);
        Choice choice = governor.Choose([Victim, Other], exclusions, 1000);
        Assert.Equal(1, choice.Index);
        Assert.Equal(1, choice.ExcludedCount);
    }

    [Fact]
    public void A_reused_pid_with_another_start_time_is_not_excluded()
    {
        var exclusions = new VictimExclusions();
        exclusions.Add(Victim);
        Assert.False(exclusions.Contains(Victim with { StartTimeTicks = Victim.StartTimeTicks + 1 }));
    }

    [Fact]
    public void With_no_grace_the_term_level_kills_directly()
    {
        var governor = new Governor(Defaults with { GraceMs = 0 });
        GovernorDecision decision = governor.Decide(At(1000, 80), VictimStatus.NoVictim);
        Assert.Equal((DecisionKind.Kill, DecisionReason.TermLevel), (decision.Kind, decision.Reason));
    }

    [Fact]
    public void A_sustained_full_stall_is_a_kill_condition_even_with_memory_available()
    {
        var governor = new Governor(new DaemonConfig { PsiFullPercent = 60, PsiFullWindowMs = 10_000 });
        long stallUs = 0;
        GovernorDecision decision = default;
        // 70 % full stall, sampled every second: the first 10 s only fill the window.
        for (long t = 0; t <= 10_000; t += 1000)
        {
            decision = governor.Decide(WithFullStall(t, 600, stallUs), VictimStatus.NoVictim);
            if (t < 10_000)
            {
                Assert.Equal(DecisionKind.Nothing, decision.Kind);
            }
            stallUs += 700_000;
        }
        Assert.Equal((DecisionKind.Kill, DecisionReason.PsiFullStall), (decision.Kind, decision.Reason));
    }

    [Fact]
    public void A_stall_below_the_level_or_with_the_condition_off_kills_nobody()
    {
        var conservative = new Governor(new DaemonConfig { PsiFullPercent = 60 });
        var off = new Governor(new DaemonConfig { PsiFullPercent = null });
        long stallUs = 0;
        for (long t = 0; t <= 20_000; t += 1000)
        {
            Assert.Equal(DecisionKind.Nothing, conservative.Decide(WithFullStall(t, 600, stallUs), VictimStatus.NoVictim).Kind);
            Assert.Equal(DecisionKind.Nothing, off.Decide(WithFullStall(t, 600, stallUs * 2), VictimStatus.NoVictim).Kind);
            stallUs += 500_000;
        }
    }

    [Fact]
    public void After_a_victim_settles_the_stall_window_starts_over()
    {
        var governor = new Governor(new DaemonConfig { PsiFullPercent = 60 });
        long stallUs = 0;
        for (long t = 0; t <= 10_000; t += 1000)
        {
            governor.Assess(WithFullStall(t, 600, stallUs));
            stallUs += 900_000;
        }
        Assert.True(governor.IsFullStall);
        governor.VictimSettled();
        // The stall stopped with the kill: the old counters must not make the next sample a kill condition.
        PressureLevel level = governor.Assess(WithFullStall(11_000, 600, stallUs));
        Assert.Equal(PressureLevel.None, level);
        Assert.False(governor.IsFullStall);
    }
}
