using Reapd.Core.Daemon;
using Reapd.Core.Decision;
using Reapd.Core.Policy;
using Reapd.Core.Replay;

using static Reapd.Core.Tests.Replay.RecordedEmergency;

namespace Reapd.Core.Tests.Replay;

/// <summary>
/// <see cref="WhatIf"/> on a recorded emergency (the core driven as the actuator drives it, the candidates' names
/// recorded before each scan answer): other settings decide through to the end on the recorded readings, and each
/// point where they decide differently is listed with both sides.
/// </summary>
public sealed class WhatIfTests
{
    [Fact]
    public void The_recorded_settings_compared_with_themselves_decide_the_same_everywhere()
    {
        WhatIfOutcome outcome = WhatIf.Run(RecordEmergency(), new DaemonConfig());

        Assert.Empty(outcome.Differences);
        Assert.Equal(outcome.RecordedSignals.Select(s => (s.TimeMs, s.Command)), outcome.OtherSignals.Select(s => (s.TimeMs, s.Command)));
        Assert.Equal([KillSignal.SigTerm, KillSignal.SigKill], outcome.RecordedSignals.Select(s => s.Command.Signal));
    }

    [Fact]
    public void A_kill_line_the_readings_never_reach_kills_nobody_and_each_recorded_decision_is_a_difference()
    {
        WhatIfOutcome outcome = WhatIf.Run(RecordEmergency(), new DaemonConfig { TermPercent = 2, KillPercent = 1 });

        Assert.Empty(outcome.OtherSignals);
        Assert.All(outcome.Differences, d => Assert.Empty(d.Other));
        Assert.Equal(2, outcome.Differences.Count(d => d.Recorded.Any(c => c.Kind == CommandKind.Signal)));
        Assert.Contains(outcome.Notes, n => n.StartsWith("available memory after either side's kills", StringComparison.Ordinal));
    }

    [Fact]
    public void A_lower_kill_line_the_readings_reach_kills_later_with_SIGKILL_at_once()
    {
        // Term 7 %, kill 6 %: the recording's SIGTERM at 10 % is not made; the one kill comes where 7 % is crossed, and
        // since the readings then fall to 6 % within the grace, it ends in the SIGKILL of the same hog.
        WhatIfOutcome outcome = WhatIf.Run(RecordEmergency(), new DaemonConfig { TermPercent = 7, KillPercent = 6 });

        foreach (WhatIfDifference d in outcome.Differences)
        {
            TestContext.Current.TestOutputHelper?.WriteLine($"{d.TimeMs}: {string.Join("; ", d.Recorded.Select(c => ReplayText.Describe(c)))} | {string.Join("; ", d.Other.Select(c => ReplayText.Describe(c)))}");
        }
        TimedCommand[] recordedTerm = [.. outcome.RecordedSignals.Where(s => s.Command.Signal == KillSignal.SigTerm)];
        TimedCommand otherFirst = outcome.OtherSignals[0];
        Assert.Equal(Hog, otherFirst.Command.Victim);
        Assert.True(otherFirst.TimeMs > recordedTerm[0].TimeMs, "the other configuration's first signal is not later");
        Assert.Contains(outcome.OtherSignals, s => s.Command.Signal == KillSignal.SigKill && s.Command.Victim == Hog);
        Assert.Contains(outcome.Differences, d => d.Other.Any(c => c.Kind == CommandKind.Report && c.Report.Kind == ReportKind.Trigger));
    }

    [Fact]
    public void A_rule_that_protects_the_recorded_victim_by_comm_chooses_the_next_candidate()
    {
        var protect = new PolicyRule("keep hog", RuleAction.Protect, new RuleMatch { Comm = "hog" }, SourcePosition.BuiltIn);

        WhatIfOutcome outcome = WhatIf.Run(RecordEmergency(), new DaemonConfig { Rules = [protect] });

        Assert.NotEmpty(outcome.OtherSignals);
        Assert.All(outcome.OtherSignals, s => Assert.Equal(Bystander, s.Command.Victim));
        Assert.All(outcome.RecordedSignals, s => Assert.Equal(Hog, s.Command.Victim));
        WhatIfDifference first = outcome.Differences[0];
        Assert.Contains(first.Recorded, c => c.Kind == CommandKind.Report && c.Report.Kind == ReportKind.Choice && c.Report.Victim == Hog);
        Assert.Contains(first.Other, c => c.Kind == CommandKind.Report && c.Report.Kind == ReportKind.Choice && c.Report.Victim == Bystander);
        Assert.Equal(first.TimeMs, outcome.RecordedSignals[0].TimeMs);
    }

    [Fact]
    public void A_protect_rule_on_what_the_recording_does_not_hold_is_named_and_not_applied()
    {
        var byCmdline = new PolicyRule("java", RuleAction.Protect, new RuleMatch { Cmdline = "java -jar" }, SourcePosition.BuiltIn);

        WhatIfOutcome outcome = WhatIf.Run(RecordEmergency(), new DaemonConfig { Rules = [byCmdline] });

        Assert.Empty(outcome.Differences);
        Assert.Contains("rule 'java' (protect) matches on cmdline, which the recording does not hold: it is not applied", outcome.Notes);
    }

    [Fact]
    public void Protected_names_are_applied_to_the_recorded_names()
    {
        WhatIfOutcome outcome = WhatIf.Run(RecordEmergency(), new DaemonConfig { ProtectedNames = ["hog"] });

        Assert.All(outcome.OtherSignals, s => Assert.Equal(Bystander, s.Command.Victim));
    }

    /// <summary>The emergency of <see cref="RecordedEmergency"/>, with the names recorded before each scan answer.</summary>
    private static Recording RecordEmergency() =>
        RecordReader.TryRead(RecordedEmergency.Record(new DaemonConfig(), names: true).File, out string? error)
        ?? throw new InvalidOperationException(error);
}
