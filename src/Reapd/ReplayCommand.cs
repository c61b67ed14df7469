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
        var command = new DocumentedCommand("replay",
            "re-run the decision core offline on a 'reapd run --record' file and print what it decides, and where other levels would have decided differently")
        {
            Details = """
                Reads a recording (the samples, scan answers, signal and reap outcomes, exits and the decisions of a
                'reapd run --record FILE'), feeds its inputs to a fresh decision core with the recorded configuration,
                or with the levels given here, and prints each decision. It stops at the first decision that differs
                from the recording and shows both: after that the recorded answers no longer answer the new
                decisions. Exit code 0: the same decisions; 9: they differ; 8: the file is not a readable recording.
                """,
            DocLink = "docs/reliability.md",
        };
        command.Arguments.Add(file);
        command.Options.Add(termPercent);
        command.Options.Add(killPercent);
        command.Options.Add(grace);
        command.Options.Add(settleTimeout);
        command.Options.Add(psiFull);
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
            DaemonConfig config = recorded with
            {
                TermPercent = result.GetValue(termPercent) ?? recorded.TermPercent,
                KillPercent = result.GetValue(killPercent) ?? recorded.KillPercent,
                GraceMs = result.GetValue(grace) ?? recorded.GraceMs,
                SettleTimeoutMs = result.GetValue(settleTimeout) ?? recorded.SettleTimeoutMs,
                PsiFullPercent = psi is null ? recorded.PsiFullPercent : psi == "off" ? null : double.Parse(psi, CultureInfo.InvariantCulture),
            };
            if (config.Validate() is string invalid)
            {
                stderr.WriteLine($"reapd replay: {invalid}");
                return ExitCodes.Usage;
            }
            return Replay(path, recording, recorded, config, stdout);
        });
        return command;
    }

    private static int Replay(string path, Recording recording, DaemonConfig recorded, DaemonConfig config, TextWriter stdout)
    {
        stdout.WriteLine($"recording {path}: scope {recording.HeaderValue("scope")}, kernel {recording.HeaderValue("kernel")}, boot {recording.HeaderValue("boot_id")}, started {recording.HeaderValue("started_utc")}, segment {recording.HeaderValue("segment")}, reapd {recording.HeaderValue("reapd")}");
        string changes = Changes(recorded, config);
        stdout.WriteLine(changes.Length == 0 ? "configuration: as recorded" : $"configuration: as recorded except {changes}");
        ReplayOutcome outcome = Replayer.Run(recording, config);
        long origin = long.TryParse(recording.HeaderValue("started_monotonic_ms"), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long start)
            ? start : recording.Events.FirstOrDefault(e => e.IsInput)?.TimeMs ?? 0;
        foreach ((long timeMs, Command command) in outcome.Commands)
        {
            stdout.WriteLine($"{Time(timeMs, origin)}  {ReplayText.Describe(command)}");
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

    private static string List(IReadOnlyList<Command> commands) =>
        commands.Count == 0 ? "nothing" : string.Join("; ", commands.Select(c => ReplayText.Describe(c)));

    private static string Time(long timeMs, long originMs) =>
        string.Create(CultureInfo.InvariantCulture, $"+{(timeMs - originMs) / 1000.0:0.000}s");

    private static string Changes(DaemonConfig recorded, DaemonConfig config)
    {
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
