using Reapd.Core.Daemon;
using Reapd.Core.Decision;
using Reapd.Core.Policy;
using static Reapd.Core.Tests.Daemon.Samples;

namespace Reapd.Core.Tests.Decision;

/// <summary>
/// The thresholds per resource (docs/daemon.md "Thresholds"): memory and swap lines under both combinations, separate
/// swap levels, the PSI conditions with their durations, and which condition the trigger names.
/// </summary>
public sealed class ThresholdTests
{
    // A 1000 MiB machine with 1000 MiB of swap: memory term 100, kill 50; swap term 200, kill 100 (the swap levels set apart).
    private static readonly DaemonConfig Separate = new() { SwapTermPercent = 20, SwapKillPercent = 10 };

    public static TheoryData<string, ThresholdCombination, long, long, long, PressureLevel, PressureCondition> Table => new()
    {
        // case                                               combination                              avail swapFree swapTotal level                 condition
        { "both high",                                         ThresholdCombination.MemoryAndSwap,       500,   900, 1000, PressureLevel.None, PressureCondition.None },
        { "memory low, swap high: and waits",                  ThresholdCombination.MemoryAndSwap,        90,   900, 1000, PressureLevel.None, PressureCondition.None },
        { "memory low, swap high: any-of terms",               ThresholdCombination.AnyOf,                90,   900, 1000, PressureLevel.Term, PressureCondition.Memory },
        { "memory at kill, swap high: any-of kills",           ThresholdCombination.AnyOf,                50,   900, 1000, PressureLevel.Kill, PressureCondition.Memory },
        { "swap low, memory high: and waits",                  ThresholdCombination.MemoryAndSwap,       500,   150, 1000, PressureLevel.None, PressureCondition.None },
        { "swap at its term line, memory high: any-of terms",  ThresholdCombination.AnyOf,               500,   200, 1000, PressureLevel.Term, PressureCondition.Swap },
        { "swap at its kill line, memory high: any-of kills",  ThresholdCombination.AnyOf,               500,   100, 1000, PressureLevel.Kill, PressureCondition.Swap },
        { "both at term: and terms",                           ThresholdCombination.MemoryAndSwap,       100,   200, 1000, PressureLevel.Term, PressureCondition.MemoryAndSwap },
        { "both at kill: and kills",                           ThresholdCombination.MemoryAndSwap,        50,   100, 1000, PressureLevel.Kill, PressureCondition.MemoryAndSwap },
        { "memory at kill, swap only at term: and terms",      ThresholdCombination.MemoryAndSwap,        50,   150, 1000, PressureLevel.Term, PressureCondition.MemoryAndSwap },
        { "both at kill: any-of names both",                   ThresholdCombination.AnyOf,                50,   100, 1000, PressureLevel.Kill, PressureCondition.MemoryAndSwap },
        { "just above every line",                             ThresholdCombination.AnyOf,               101,   201, 1000, PressureLevel.None, PressureCondition.None },
        { "no swap: memory alone decides under and",           ThresholdCombination.MemoryAndSwap,        90,     0,    0, PressureLevel.Term, PressureCondition.Memory },
        { "no swap: memory alone decides under any-of",        ThresholdCombination.AnyOf,                90,     0,    0, PressureLevel.Term, PressureCondition.Memory },
        { "no swap, memory high: any-of does not count the missing swap as low", ThresholdCombination.AnyOf, 500, 0, 0, PressureLevel.None, PressureCondition.None },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void Memory_and_swap_lines_combine_as_configured(string @case, ThresholdCombination combination, long availableMiB, long swapFreeMiB,
        long swapTotalMiB, PressureLevel level, PressureCondition condition)
    {
        DaemonConfig config = Separate with { Combination = combination };
        MemorySample sample = At(1000, availableMiB, 1000, swapFreeMiB, swapTotalMiB);
        Assert.True(level == PressureAssessment.Assess(sample, config, out PressureCondition got), @case);
        Assert.True(condition == got, $"{@case}: {got}");
    }

    [Fact]
    public void Without_swap_levels_of_their_own_the_swap_side_uses_the_memory_percentages()
    {
        var config = new DaemonConfig();
        MemorySample sample = At(1000, 90, 1000, 150, 1000);
        Assert.Equal(PressureLevel.None, PressureAssessment.Assess(sample, config)); // swap 15 % > 10 %
        Assert.Equal(PressureLevel.Term, PressureAssessment.Assess(sample with { SwapFreeBytes = 100 * MiB }, config));
    }

    public static TheoryData<string, double?, long, double, long, bool> FullStallTable => new()
    {
        // case                                         level  duration share heldMs  kill
        { "off",                                         null,      0,   90,  5000, false },
        { "below the level",                               60,      0,   59,    -1, false },
        { "at the level, no duration: at once",            60,      0,   60,     0, true },
        { "at the level, held shorter than the duration",  60,   3000,   80,  2999, false },
        { "held exactly the duration",                     60,   3000,   80,  3000, true },
        { "held longer",                                   60,   3000,   80,  9000, true },
        { "share unknown (window not covered)",            60,      0,   -1,     0, false },
    };

    [Theory]
    [MemberData(nameof(FullStallTable))]
    public void The_full_stall_kills_only_once_it_held_for_its_duration(string @case, double? level, long durationMs, double share, long heldMs, bool kills)
    {
        var config = new DaemonConfig { PsiFullPercent = level, PsiFullDurationMs = durationMs };
        MemorySample sample = At(1000, 900) with { PsiFullWindowPercent = share, PsiFullHeldMs = heldMs };
        PressureLevel got = PressureAssessment.Assess(sample, config, out PressureCondition condition);
        Assert.True(kills == (got == PressureLevel.Kill), @case);
        Assert.True(!kills || condition == PressureCondition.PsiFull, @case);
    }

    [Theory]
    [MemberData(nameof(FullStallTable))]
    public void The_some_stall_kills_only_once_it_held_for_its_duration(string @case, double? level, long durationMs, double share, long heldMs, bool kills)
    {
        var config = new DaemonConfig { PsiFullPercent = null, PsiSomePercent = level, PsiSomeDurationMs = durationMs };
        MemorySample sample = At(1000, 900) with { PsiSomeWindowPercent = share, PsiSomeHeldMs = heldMs };
        PressureLevel got = PressureAssessment.Assess(sample, config, out PressureCondition condition);
        Assert.True(kills == (got == PressureLevel.Kill), @case);
        Assert.True(!kills || condition == PressureCondition.PsiSome, @case);
    }

    [Fact]
    public void The_some_stall_is_off_by_default()
    {
        MemorySample sample = At(1000, 900) with { PsiSomeWindowPercent = 100, PsiSomeHeldMs = 60_000 };
        Assert.Equal(PressureLevel.None, PressureAssessment.Assess(sample, new DaemonConfig()));
    }

    [Fact]
    public void A_trigger_on_the_some_stall_names_it_in_the_core_report()
    {
        var core = new DecisionCore(new DaemonConfig { PsiSomePercent = 40 });
        core.OnSample(At(1000, 900) with { PsiSomeWindowPercent = 50, PsiSomeHeldMs = 0 });
        Assert.True(core.Commands.TryDequeue(out Command tell));
        Assert.Equal(CommandKind.Report, tell.Kind);
        Assert.Equal(DecisionReason.PsiSomeStall, tell.Report.Reason);
        Assert.Equal(PressureCondition.PsiSome, tell.Report.Condition);
        Assert.Equal(DecisionKind.Kill, tell.Report.Decision);
    }

    public static TheoryData<string, string> InvalidConfigs => new()
    {
        { "swap kill above swap term", "swap kill level" },
        { "swap term at 100", "swap term level" },
        { "some level 0", "some-stall level" },
        { "negative duration", "duration" },
    };

    [Theory]
    [MemberData(nameof(InvalidConfigs))]
    public void Validation_names_the_setting_that_does_not_fit(string @case, string expected)
    {
        DaemonConfig config = @case switch
        {
            "swap kill above swap term" => new DaemonConfig { SwapTermPercent = 10, SwapKillPercent = 20 },
            "swap term at 100" => new DaemonConfig { SwapTermPercent = 100 },
            "some level 0" => new DaemonConfig { PsiSomePercent = 0 },
            _ => new DaemonConfig { PsiFullDurationMs = -1 },
        };
        Assert.Contains(expected, config.Validate() ?? "(valid)", StringComparison.Ordinal);
    }
}
