using Reapd.Core.Daemon;
using Reapd.Core.Decision;
using static Reapd.Core.Tests.Daemon.Samples;

namespace Reapd.Core.Tests.Decision;

/// <summary>The core's side of the thrash condition: held for its duration (the sensing side says how long), on by default.</summary>
public sealed class ThrashConditionTests
{
    public static TheoryData<string, double?, long, long, bool> Table => new()
    {
        // case                                          level  duration  held   kills
        { "off",                                          null,     0,   60_000, false },
        { "not holding",                                    40,     0,       -1, false },
        { "holding, no duration: at once",                  40,     0,        0, true },
        { "held shorter than the duration",                 40,  1000,      999, false },
        { "held exactly the duration",                      40,  1000,     1000, true },
        { "held longer",                                    40,  1000,     5000, true },
    };

    [Theory]
    [MemberData(nameof(Table))]
    public void The_thrash_condition_kills_only_once_it_held_for_its_duration(string @case, double? level, long durationMs, long heldMs, bool kills)
    {
        var config = new DaemonConfig { ThrashFullPercent = level, ThrashDurationMs = durationMs };
        MemorySample sample = At(1000, 900) with { ThrashFullPercent = 60, ThrashRefaultsPerSecond = 5000, ThrashHeldMs = heldMs };
        PressureLevel got = PressureAssessment.Assess(sample, config, out PressureCondition condition);
        Assert.True(kills == (got == PressureLevel.Kill), @case);
        Assert.True(!kills || condition == PressureCondition.Thrash, @case);
    }

    [Fact]
    public void The_thrash_condition_is_on_by_default_at_40_percent_and_kills_after_1_s_of_1_s_windows_with_250_refaults_a_second()
    {
        var config = new DaemonConfig();
        Assert.Equal(40, config.ThrashFullPercent);
        Assert.Equal((1000L, 1000L, 250.0), (config.ThrashWindowMs, config.ThrashDurationMs, config.ThrashRefaultsPerSecond));
        Assert.Equal(PressureLevel.None, PressureAssessment.Assess(At(1000, 900) with { ThrashHeldMs = 999 }, config));
        Assert.Equal(PressureLevel.Kill, PressureAssessment.Assess(At(1000, 900) with { ThrashHeldMs = 1000 }, config));
        Assert.Equal(PressureLevel.None, PressureAssessment.Assess(At(1000, 900) with { ThrashHeldMs = 5000 }, config with { ThrashFullPercent = null }));
    }

    [Fact]
    public void A_trigger_on_the_thrash_condition_names_it_in_the_core_report()
    {
        var core = new DecisionCore(new DaemonConfig { ThrashFullPercent = 40 });
        core.OnSample(At(1000, 900) with { ThrashFullPercent = 55, ThrashRefaultsPerSecond = 3000, ThrashHeldMs = 1200 });
        Assert.True(core.Commands.TryDequeue(out Command tell));
        Assert.Equal(CommandKind.Report, tell.Kind);
        Assert.Equal(DecisionReason.Thrash, tell.Report.Reason);
        Assert.Equal(PressureCondition.Thrash, tell.Report.Condition);
        Assert.Equal(DecisionKind.Kill, tell.Report.Decision);
    }

    [Theory]
    [InlineData(0.0, "thrash stall level")]
    [InlineData(101.0, "thrash stall level")]
    public void Validation_names_a_thrash_level_that_does_not_fit(double level, string expected)
    {
        Assert.Contains(expected, new DaemonConfig { ThrashFullPercent = level }.Validate(), StringComparison.Ordinal);
    }

    [Fact]
    public void Validation_names_a_negative_thrash_refault_rate_or_duration()
    {
        Assert.Contains("refault rate", new DaemonConfig { ThrashRefaultsPerSecond = -1 }.Validate(), StringComparison.Ordinal);
        Assert.Contains("thrash window", new DaemonConfig { ThrashDurationMs = -1 }.Validate(), StringComparison.Ordinal);
    }
}
