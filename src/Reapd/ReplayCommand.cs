using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Reapd.CommandLine;
using Reapd.Core.Daemon;
using Reapd.Core.Decision;
using Reapd.Core.Replay;
using Command = Reapd.Core.Decision.Command;

namespace Reapd;

/// <summary>
/// `reapd replay FILE`: feeds a `reapd run --record` file to a fresh decision core, offline, with the recorded
/// configuration or with the levels given here, prints every decision it makes and where it first decides
/// differently from the recording (docs/reliability.md, "Record and replay").
/// </summary>
internal static class ReplayCommand
{
    public static DocumentedCommand Create()
    {
        var file = new Argument<string>("FILE")
        {
            Description = "a recording made by 'reapd run --record FILE' (FILE.1 holds the segment before it)",
            Arity = ArgumentArity.ExactlyOne,
        };
        var termPercent = new Option<double?>("--term-percent")
        {
            HelpName = "P",
            Description = "replay with this term level instead of the recorded one",
            CustomParser = Level,
        };
        var killPercent = new Option<double?>("--kill-percent")
        {
            HelpName = "P",
            Description = "replay with this kill level instead of the recorded one",
            CustomParser = Level,
        };
        var grace = new Option<int?>("--grace")
        {
            HelpName = "DURATION",
            Description = "replay with this SIGTERM grace",
            CustomParser = OptionValues.DurationMs,
        };
        var settleTimeout = new Option<int?>("--settle-timeout")
        {
            HelpName = "DURATION",
            Description = "replay with this settle timeout",
            CustomParser = OptionValues.DurationMs,
        };
        var psiFull = new Option<string>("--psi-full-percent")
        {
            HelpName = "P|off",
            Description = "replay with this full-stall level, or without the condition",
            CustomParser = PsiLevel,
        };
        var config = new Option<string>("--config")
        {
            HelpName = "FILE",
            Description = "decide with this configuration file instead (it replaces the recorded reloads) and print every point where it decides differently",
        };
        var command = new DocumentedCommand("replay",
            "re-run the decision core offline on a 'reapd run --record' file and print what it decides, and where other levels or another configuration file would have decided differently")
        {
            Details = """
                Reads a recording (the samples, scan answers, signal and reap outcomes, exits and the decisions of a
                'reapd run --record FILE'), feeds its inputs to a fresh decision core with the recorded configuration,
                or with the levels given here, and prints each decision. It stops at the first decision that differs
                from the recording and shows both: after that the recorded answers no longer answer the new
                decisions. With --config FILE the recorded readings are fed to a core with that file's settings
                (the level options above still apply over it), which decides all the way through: its scans are
                answered from the recorded rankings (its protect rules applied to the recorded process names), its
                signals are delivered, and available memory is corrected by what each side's victims held. Every
                point where it decides differently is printed with the time, what the recording did and what the
                file's settings do, then a summary of the victims under each. Reloads recorded in the file are
                replaced by the given configuration. A file with a mistake: its problems, exit code 78.
                Exit code 0: the same decisions; 9: they differ; 8: the file is not a readable recording.
                """,
            DocLink = "docs/reliability.md",
        };
        command.Arguments.Add(file);
        command.Options.Add(termPercent);
        command.Options.Add(killPercent);
        command.Options.Add(grace);
        command.Options.Add(settleTimeout);
        command.Options.Add(psiFull);
        command.Options.Add(config);
        command.SetAction(result =>
        {
            TextWriter stdout = result.InvocationConfiguration.Output;
            TextWriter stderr = result.InvocationConfiguration.Error;
            string path = result.GetValue(file) ?? "";
            byte[] data;
            try
            {
                data = File.ReadAllBytes(path);
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                stderr.WriteLine($"reapd replay: {path}: no such file");
                return ExitCodes.NotFound;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                stderr.WriteLine($"reapd replay: {path}: {e.Message}");
                return ExitCodes.Failed;
            }
            Recording? recording = RecordReader.TryRead(data, out string? problem);
            DaemonConfig? recorded = recording is null ? null : RecordedConfig.TryRead(recording.Header, out problem);
            if (recording is null || recorded is null)
            {
                stderr.WriteLine($"reapd replay: {path}: {problem}");
                return ExitCodes.BadRecording;
            }
            string? psi = result.GetValue(psiFull);
            string? otherPath = result.GetValue(config);
            DaemonConfig basis = recorded;
            if (otherPath is not null)
            {
                Config.ConfigLoad load = Config.ConfigFile.Load(otherPath);
                if (!load.Ok)
                {
                    foreach (Config.ConfigProblem bad in load.Problems)
                    {
                        stderr.WriteLine(bad.ToString());
                    }
                    stderr.WriteLine($"reapd replay: --config {otherPath}: {load.Problems.Count} problem{(load.Problems.Count == 1 ? "" : "s")}; nothing replayed");
                    return ExitCodes.ConfigInvalid;
                }
                basis = load.Options!.Config;
            }
            DaemonConfig chosen = basis with
            {
                TermPercent = result.GetValue(termPercent) ?? basis.TermPercent,
                KillPercent = result.GetValue(killPercent) ?? basis.KillPercent,
                GraceMs = result.GetValue(grace) ?? basis.GraceMs,
                SettleTimeoutMs = result.GetValue(settleTimeout) ?? basis.SettleTimeoutMs,
                PsiFullPercent = psi is null ? basis.PsiFullPercent : psi == "off" ? null : double.Parse(psi, CultureInfo.InvariantCulture),
            };
            if (chosen.Validate() is string invalid)
            {
                stderr.WriteLine($"reapd replay: {invalid}");
                return ExitCodes.Usage;
            }
            return otherPath is null ? Replay(path, recording, recorded, chosen, stdout) : Compare(path, otherPath, recording, recorded, chosen, stdout);
        });
        return command;
    }

    private static int Replay(string path, Recording recording, DaemonConfig recorded, DaemonConfig config, TextWriter stdout)
    {
        stdout.WriteLine($"recording {path}: scope {recording.HeaderValue("scope")}, kernel {recording.HeaderValue("kernel")}, boot {recording.HeaderValue("boot_id")}, started {recording.HeaderValue("started_utc")}, segment {recording.HeaderValue("segment")}, reapd {recording.HeaderValue("reapd")}");
        string changes = Changes(recorded, config);
        stdout.WriteLine(changes.Length == 0 ? "configuration: as recorded" : $"configuration: as recorded except {changes}");
        ReplayOutcome outcome = Replayer.Run(recording, config);
        long origin = Origin(recording);
        // The reloads and the adoption the recording holds, in time order with the commands, up to where the replay went.
        long lastMs = outcome.FirstDivergence?.Input.TimeMs ?? long.MaxValue;
        var lines = new List<(long TimeMs, string Text)>();
        DaemonConfig before = recorded;
        foreach (RecordedEvent e in recording.Events.Where(e => e.Kind is RecordKind.Reconfigured or RecordKind.Adopted && e.TimeMs <= lastMs))
        {
            if (e.Kind == RecordKind.Adopted)
            {
                lines.Add((e.TimeMs, $"adopted pid={e.Victim.Pid} start={e.Victim.StartTimeTicks} ({(e.Phase == VictimPhase.Killed ? "SIGKILLed" : "SIGTERMed")} {Time(e.SignalledMs, origin)}, by the instance before)"));
                continue;
            }
            string reloaded = Changes(before, e.Config!, all: true);
            lines.Add((e.TimeMs, $"reload: {(reloaded.Length == 0 ? "no decision setting changed" : reloaded)}"));
            before = e.Config!;
        }
        lines.AddRange(outcome.Commands.Select(c => (c.TimeMs, ReplayText.Describe(c.Command))));
        foreach ((long timeMs, string text) in lines.OrderBy(l => l.TimeMs))
        {
            stdout.WriteLine($"{Time(timeMs, origin)}  {text}");
        }
        if (outcome.DroppedRecords > 0)
        {
            stdout.WriteLine($"note: the recorder dropped {outcome.DroppedRecords} records (its queue was full); the replay is exact only up to the gap");
        }
        int decisions = outcome.Commands.Count(c => c.Command.Kind is CommandKind.Signal or CommandKind.KillSharers);
        if (outcome.FirstDivergence is not Divergence divergence)
        {
            stdout.WriteLine($"replay: {outcome.InputsReplayed} inputs, {outcome.Commands.Count} commands ({decisions} signals), the same decisions as recorded");
            return ExitCodes.Ok;
        }
        stdout.WriteLine($"replay: diverges at {Time(divergence.Input.TimeMs, origin)}, input {divergence.InputNumber} of {outcome.InputsRecorded} ({ReplayText.Describe(divergence.Input)})");
        stdout.WriteLine($"  recorded: {List(divergence.Recorded)}");
        stdout.WriteLine($"  replayed: {List(divergence.Replayed)}");
        if (divergence.Note is not null)
        {
            stdout.WriteLine($"  the recorded input does not fit the replayed core: {divergence.Note}");
        }
        stdout.WriteLine("  the replay stops here: the recorded answers (scans, signal outcomes, reaps, exits) answer the recorded decisions, not these");
        return ExitCodes.ReplayDiverged;
    }

    /// <summary>`replay FILE --config OTHER`: every point where the other settings decide differently, and the victims under each.</summary>
    private static int Compare(string path, string otherPath, Recording recording, DaemonConfig recorded, DaemonConfig other, TextWriter stdout)
    {
        stdout.WriteLine($"recording {path}: scope {recording.HeaderValue("scope")}, kernel {recording.HeaderValue("kernel")}, boot {recording.HeaderValue("boot_id")}, started {recording.HeaderValue("started_utc")}, segment {recording.HeaderValue("segment")}, reapd {recording.HeaderValue("reapd")}");
        string changes = Changes(recorded, other, all: true);
        stdout.WriteLine($"configuration: {otherPath} instead of the recorded one{(changes.Length == 0 ? " (the same decision settings)" : $": {changes}")}");
        WhatIfOutcome outcome = WhatIf.Run(recording, other);
        if (outcome.ReloadsReplaced > 0)
        {
            stdout.WriteLine($"reloads: the recording holds {outcome.ReloadsReplaced}; {otherPath} replaces them (they are not followed)");
        }
        foreach (string note in outcome.Notes)
        {
            stdout.WriteLine($"note: {note}");
        }
        long origin = Origin(recording);
        string label = Path.GetFileName(otherPath);
        foreach (WhatIfDifference difference in outcome.Differences)
        {
            stdout.WriteLine($"{Time(difference.TimeMs, origin)}  recorded: {List(difference.Recorded)}");
            stdout.WriteLine($"{new string(' ', Time(difference.TimeMs, origin).Length)}  {label}: {List(difference.Other)}");
        }
        stdout.WriteLine($"victims recorded: {Victims(outcome.RecordedSignals, origin)}");
        stdout.WriteLine($"victims with {label}: {Victims(outcome.OtherSignals, origin)}");
        stdout.WriteLine(outcome.Differences.Count == 0
            ? $"compare: {outcome.Samples} samples, the same decisions as recorded"
            : $"compare: {outcome.Samples} samples, {outcome.Differences.Count} point{(outcome.Differences.Count == 1 ? "" : "s")} where the decisions differ");
        return outcome.Differences.Count == 0 ? ExitCodes.Ok : ExitCodes.ReplayDiverged;
    }

    /// <summary>"none", or each victim with its signals: "pid 123 (SIGTERM +1.200s, SIGKILL +3.400s)".</summary>
    private static string Victims(IReadOnlyList<TimedCommand> signals, long origin)
    {
        if (signals.Count == 0)
        {
            return "none";
        }
        IEnumerable<string> victims = signals.GroupBy(s => s.Command.Victim).Select(g =>
            $"pid {g.Key.Pid} ({string.Join(", ", g.Select(s => $"{(s.Command.Signal == KillSignal.SigTerm ? "SIGTERM" : "SIGKILL")} {Time(s.TimeMs, origin)}"))})");
        int count = signals.Select(s => s.Command.Victim).Distinct().Count();
        return $"{count}: {string.Join("; ", victims)}";
    }

    private static long Origin(Recording recording) =>
        long.TryParse(recording.HeaderValue("started_monotonic_ms"), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long start)
            ? start : recording.Events.FirstOrDefault(e => e.IsInput)?.TimeMs ?? 0;

    private static string List(IReadOnlyList<Command> commands) =>
        commands.Count == 0 ? "nothing" : string.Join("; ", commands.Select(c => ReplayText.Describe(c)));

    // Seconds from the recording's start; an adopted victim's signal came before it (a minus sign).
    private static string Time(long timeMs, long originMs) =>
        string.Create(CultureInfo.InvariantCulture, $"{(timeMs < originMs ? '-' : '+')}{Math.Abs(timeMs - originMs) / 1000.0:0.000}s");

    private static string Changes(DaemonConfig recorded, DaemonConfig config, bool all = false)
    {
        if (all)
        {
            // Every decision setting the recording keeps, as its header names them (rules counted, not compared).
            Dictionary<string, string> was = RecordedConfig.Write(recorded).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
            return string.Join(", ", RecordedConfig.Write(config)
                .Where(p => was.GetValueOrDefault(p.Key) != p.Value)
                .Select(p => $"{p.Key["config.".Length..]} {Show(was.GetValueOrDefault(p.Key))} -> {Show(p.Value)}"));
        }
        var changes = new List<string>();
        if (recorded.TermPercent != config.TermPercent)
        {
            changes.Add(string.Create(CultureInfo.InvariantCulture, $"term level {recorded.TermPercent:0.##}% -> {config.TermPercent:0.##}%"));
        }
        if (recorded.KillPercent != config.KillPercent)
        {
            changes.Add(string.Create(CultureInfo.InvariantCulture, $"kill level {recorded.KillPercent:0.##}% -> {config.KillPercent:0.##}%"));
        }
        if (recorded.GraceMs != config.GraceMs)
        {
            changes.Add($"grace {recorded.GraceMs} ms -> {config.GraceMs} ms");
        }
        if (recorded.SettleTimeoutMs != config.SettleTimeoutMs)
        {
            changes.Add($"settle timeout {recorded.SettleTimeoutMs} ms -> {config.SettleTimeoutMs} ms");
        }
        if (recorded.PsiFullPercent != config.PsiFullPercent)
        {
            changes.Add(string.Create(CultureInfo.InvariantCulture, $"full-stall level {recorded.PsiFullPercent?.ToString("0.##", CultureInfo.InvariantCulture) ?? "off"} -> {config.PsiFullPercent?.ToString("0.##", CultureInfo.InvariantCulture) ?? "off"}"));
        }
        return string.Join(", ", changes);
    }

    private static string Show(string? value) => string.IsNullOrEmpty(value) ? "none" : value;

    private static double? Level(ArgumentResult result)
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
        if (Percent.TryParse(text, out double percent) && percent > 0 && percent < 100)
        {
            return percent;
        }
        result.AddError($"{OptionValues.NameOf(result)} must be a percentage above 0 and below 100, not '{text}'");
        return null;
    }

    private static string? PsiLevel(ArgumentResult result)
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
        if (text == "off")
        {
            return text;
        }
        if (Percent.TryParse(text, out double percent) && percent > 0 && percent <= 100)
        {
            return percent.ToString("R", CultureInfo.InvariantCulture);
        }
        result.AddError($"--psi-full-percent must be a percentage above 0 and at most 100, or off, not '{text}'");
        return null;
    }
}
