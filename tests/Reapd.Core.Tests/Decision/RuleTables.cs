using Reapd.Core.Daemon;
using Reapd.Core.Decision;
using static Reapd.Core.Tests.Decision.CoreDriver;

namespace Reapd.Core.Tests.Decision;

public sealed class EscalationTests
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
    public void The_escalation_decides_by_the_table(string @case, long nowMs, long availableMiB, VictimPhase phase, long termSentMs, DecisionKind kind, DecisionReason reason)
    {
        DecisionState state = DecisionState.Initial;
        state.Phase = phase;
        state.TermSentMs = termSentMs;
        MemorySample sample = At(nowMs, availableMiB);
        EscalationDecision decision = Escalation.Decide(state, PressureAssessment.Assess(sample, Defaults), nowMs, Defaults);
        Assert.True(kind == decision.Kind && reason == decision.Reason, $"{@case}: got {decision.Kind}/{decision.Reason}");
    }

    [Fact]
    public void A_victim_that_exited_on_SIGTERM_is_not_escalated_even_at_the_kill_level()
    {
        DecisionState state = DecisionState.Initial;
        state.Phase = VictimPhase.Terminating;
        state.TermSentMs = 1000;
        state.VictimExited = true;
        EscalationDecision decision = Escalation.Decide(state, PressureLevel.Kill, 1001, Defaults);
        Assert.Equal((DecisionKind.Wait, DecisionReason.VictimInFlight), (decision.Kind, decision.Reason));
    }

    [Fact]
    public void With_no_grace_the_term_level_kills_directly()
    {
        var config = new DaemonConfig { PsiFullPercent = null, GraceMs = 0 };
        EscalationDecision decision = Escalation.Decide(DecisionState.Initial, PressureLevel.Term, 1000, config);
        Assert.Equal(DecisionKind.Kill, decision.Kind);
    }
}

public sealed class PressureAssessmentTests
{
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
        var sample = new MemorySample(1000, availableMiB * MiB, 1000 * MiB, swapFreeMiB * MiB, swapTotalMiB * MiB, PsiReading.None);
        PressureLevel level = PressureAssessment.Assess(sample, new DaemonConfig { PsiFullPercent = null });
        Assert.True(expected == level, $"{@case}: got {level}");
    }

    public static TheoryData<string, double?, double, PressureLevel> StallTable => new()
    {
        // case                                              configured  window %  level (memory is plentiful)
        { "a full stall over the level kills",                 60.0,       75,    PressureLevel.Kill },
        { "exactly at the level kills",                        60.0,       60,    PressureLevel.Kill },
        { "below the level: nothing",                          60.0,       59,    PressureLevel.None },
        { "window not covered yet (-1): nothing",              60.0,       -1,    PressureLevel.None },
        { "condition off: nothing, whatever the stall",        null,      100,    PressureLevel.None },
    };

    [Theory]
    [MemberData(nameof(StallTable))]
    public void A_sustained_full_stall_is_a_kill_condition_of_its_own(string @case, double? configured, double windowPercent, PressureLevel expected)
    {
        MemorySample sample = At(1000, 600) with { PsiFullWindowPercent = windowPercent };
        PressureLevel level = PressureAssessment.Assess(sample, new DaemonConfig { PsiFullPercent = configured });
        Assert.True(expected == level, $"{@case}: got {level}");
    }
}

public sealed class RetargetRuleTests
{
    // Available 40 MiB, term line 100 MiB. The SIGTERMed victim's kill alone is enough when what it holds, less what the
    // new top candidate allocated since the choice, lifts available above the line (the line itself is still the term level).
    public static TheoryData<string, long, long, bool, long, bool> Table => new()
    {
        // case                                                                  at choice  now  other on top  its growth  retarget
        { "small, outgrown by an allocator, not shrinking: not enough",              40,     40,    true,         300,       true },
        { "grew a little itself: still not enough",                                  40,     50,    true,         300,       true },
        { "shrinking below 90 %: its memory is coming back",                         40,     35,    true,         300,       false },
        { "gone from the ranking (exited, no mm)",                                   40,     -1,    true,         300,       false },
        { "still the top candidate",                                                 40,     40,    false,        300,       false },
        { "big: its kill lifts memory above the line even after the growth",        400,    400,    true,         200,       false },
        { "big, but the allocator ate more than its kill gives back",               400,    400,    true,         350,       true },
        { "40 + 60 - 0 lands exactly on the term line, still an emergency",          60,     60,    true,           0,       true },
        { "40 + 61 - 0 lifts it just above the term line: enough",                   61,     61,    true,           0,       false },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void The_SIGTERMed_victim_is_passed_over_only_when_its_kill_could_not_have_been_enough(string @case, long atChoiceMiB, long nowMiB, bool otherOnTop, long growthMiB, bool retarget)
    {
        bool decided = RetargetRule.ShouldRetarget(atChoiceMiB * MiB, nowMiB < 0 ? -1 : nowMiB * MiB, otherOnTop, growthMiB * MiB, 40 * MiB, 100 * MiB);
        Assert.True(retarget == decided, @case);
    }
}

public sealed class SettleRulesTests
{
    private static readonly DaemonConfig Config = new() { PsiFullPercent = null, SettleTimeoutMs = 5000, StuckGraceMs = 1000, ShmemExitWaitMs = 1000 };

    // A victim holding 400 MiB was SIGKILLed at t=1000; the reap answered at 1010 (progress point for ESRCH: 1010).
    public static TheoryData<string, ReapState, bool, int, long, long, string> Table => new()
    {
        // case                                                        reap                 exited sharers shmem  now   settled as
        { "reaped: settled at once, whatever the system reading",     ReapState.Released,  false,  0,     0,    1011, "Reaped" },
        { "reaped, shmem-heavy: waits for the exit",                  ReapState.Released,  false,  0,   800,    1500, "-" },
        { "reaped, shmem-heavy, exited: settled as exited",           ReapState.Released,  true,   0,   800,    1500, "Exited" },
        { "reaped, shmem-heavy, the short wait is over",              ReapState.Released,  false,  0,   800,    2010, "ReapedShmemExit" },
        { "reaped beside its exit: waits for the exit",               ReapState.ReleasedExitPending, false, 0, 0, 1500, "-" },
        { "reaped beside its exit, exited: settled as exited",        ReapState.ReleasedExitPending, true, 0, 0, 1020, "Exited" },
        { "reaped beside its exit, the short wait is over: reaped",   ReapState.ReleasedExitPending, false, 0, 0, 2010, "Reaped" },
        { "reaped beside its exit, no progress: never stuck",         ReapState.ReleasedExitPending, false, 0, 0, 4000, "Reaped" },
        { "exited with no sharer left",                               ReapState.NoMm,      true,   0,     0,    1020, "Exited" },
        { "exited, a sharer still holds the mm",                      ReapState.NoMm,      true,   1,     0,    1020, "-" },
        { "ESRCH, no progress within the stuck grace: not yet",       ReapState.NoMm,      false,  0,     0,    2009, "-" },
        { "ESRCH, no progress for the stuck grace: stuck",            ReapState.NoMm,      false,  0,     0,    2010, "StuckInMmput" },
        { "refused: only the exit or the timeout",                    ReapState.NotReaped, false,  0,     0,    5999, "-" },
        { "refused, timeout",                                         ReapState.NotReaped, false,  0,     0,    6000, "Timeout" },
        { "reap still in the kernel: timeout only",                   ReapState.InFlight,  false,  0,     0,    6000, "Timeout" },
        { "core dumping: waits for the exit",                         ReapState.CoreDumping, false, 0,    0,    5000, "-" },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void The_gate_settles_by_the_table(string @case, ReapState reap, bool exited, int liveSharers, long shmemMiB, long nowMs, string expected)
    {
        DecisionState s = DecisionState.Initial;
        s.Phase = VictimPhase.Killed;
        s.KillSentMs = 1000;
        s.HeldBytes = 400 * MiB;
        s.ShmemBytes = shmemMiB * MiB;
        s.Reap = reap;
        s.ReapAnsweredMs = 1010;
        s.ProgressAtMs = 1010;
        s.VictimExited = exited;
        s.VictimExitedMs = exited ? 1015 : 0;
        s.LiveSharers = liveSharers;
        bool settled = SettleRules.TrySettle(s, nowMs, Config, out SettleCause cause);
        Assert.True(expected == (settled ? cause.ToString() : "-"), $"{@case}: got {(settled ? cause : "-")}");
    }
}
