using System.CommandLine;
using System.Globalization;
using Reapd.CommandLine;
using Reapd.Model.Exploration;

namespace Reapd.Model;

/// <summary>
/// Entry point of 'reapd model-check': explores the selected variants and says whether every verdict is the one
/// kernel history gives (exit 0) or not, or a run was inconclusive (exit 7); bad arguments exit 2 with one line.
/// </summary>
public static class ModelCheckCommand
{
    /// <summary>`model-check` alone, as `reapd model-check` runs it: bad input is one line and exit 2.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        Command command = Create();
        command.Options.Add(HelpText.CreateOption());
        HelpText.Apply(command, "reapd");
        return CommandLineInvoker.Invoke(command, "reapd", args, stdout, stderr);
    }

    public static DocumentedCommand Create()
    {
        var variant = new Option<string>("--variant")
        {
            HelpName = "NAME|all",
            Description = "a variant (see --list) or all of the expected-history ones (default: all)",
        };
        variant.CompletionSources.Add(["all", .. VariantCatalogue.Variants.Select(v => v.Name)]);
        variant.Validators.Add(result =>
        {
            string? value = result.Tokens.Count > 0 ? result.Tokens[^1].Value : null;
            if (value is not null && value != "all" && VariantCatalogue.Find(value) is null)
            {
                result.AddError($"unknown variant '{value}' for --variant (known: all, {string.Join(", ", VariantCatalogue.Variants.Select(v => v.Name))})");
            }
        });
        var maxStates = new Option<int?>("--max-states")
        {
            HelpName = "N",
            Description = "bound of an exhaustive run; hitting it makes the run inconclusive (default: 4000000)",
            CustomParser = OptionValues.PositiveInt,
        };
        var retries = new Option<int?>("--retries")
        {
            HelpName = "N",
            Description = "oom_reaper trylock retries, 1..10 (the kernel's 10; default: 2)",
            CustomParser = OptionValues.IntFromTo(1, 10),
        };
        var trace = new Option<bool>("--trace")
        {
            Description = "print every counterexample step by step with the state after each step",
            Arity = ArgumentArity.Zero,
        };
        var seed = new Option<ulong?>("--seed")
        {
            HelpName = "S",
            Description = "seeded random walks instead of exhaustive search (never a pass: inconclusive)",
            CustomParser = OptionValues.UnsignedLong,
        };
        var walks = new Option<int?>("--walks")
        {
            HelpName = "N",
            Description = "number of random walks with --seed (default: 2000)",
            CustomParser = OptionValues.IntFromTo(1, 100_000_000),
        };
        var depth = new Option<int?>("--depth")
        {
            HelpName = "N",
            Description = "length of each random walk with --seed (default: 200)",
            CustomParser = OptionValues.IntFromTo(1, 1_000_000),
        };
        var replay = new Option<string>("--replay")
        {
            HelpName = "FILE|TRACE",
            Description = "replay a printed trace (a file, or the text itself with ';' between lines)",
        };
        var list = new Option<bool>("--list")
        {
            Description = "list the variants and what kernel history expects of them",
            Arity = ArgumentArity.Zero,
        };
        var command = new DocumentedCommand("model-check",
            "explores every interleaving of the kernel's OOM reaper / exit_mmap protocol (4.13 ... 6.x) and of reapd's daemon (its production decision core against a model of the actuator and the kernel), and prints the races as numbered traces")
        {
            Details = """
                Exits 0 when every verdict is the one kernel history gives, 7 when one differs or a run is
                inconclusive (a bound was hit, or random walks were asked for).
                """,
            DocLink = "docs/model.md",
        };
        command.Options.Add(variant);
        command.Options.Add(maxStates);
        command.Options.Add(retries);
        command.Options.Add(trace);
        command.Options.Add(seed);
        command.Options.Add(walks);
        command.Options.Add(depth);
        command.Options.Add(replay);
        command.Options.Add(list);
        command.SetAction(result => Run(
            new Request(result.GetValue(variant) ?? "all", result.GetValue(maxStates) ?? Explorer.DefaultMaxStates,
                result.GetValue(retries) ?? ModelOptions.Default.Retries, result.GetValue(seed), result.GetValue(walks) ?? 2000,
                result.GetValue(depth) ?? 200, result.GetValue(trace), result.GetValue(list), result.GetValue(replay)),
            result.InvocationConfiguration.Output, result.InvocationConfiguration.Error));
        return command;
    }

    private static int Run(Request request, TextWriter stdout, TextWriter stderr)
    {
        (string variant, int maxStates, int retries, ulong? seed, int walks, int depth, bool trace, bool list, string? replay) = request;
        if (list)
        {
            foreach (VariantSpec v in VariantCatalogue.Variants)
            {
                string expected = string.Join("  ", v.Expectations.Select(e => e.Key + "=" + (e.Value.Holds ? "holds" : "broken(" + string.Join(",", e.Value.Labels) + ")")));
                stdout.WriteLine($"{v.Name,-26} {(v.InAll ? "in all " : v.DeliberatelyBroken ? "broken " : "       ")} {expected}");
                stdout.WriteLine($"{"",-26} {v.Title}");
            }
            return ModelExitCodes.Ok;
        }
        if (replay is not null)
        {
            return Replay(replay, stdout, stderr);
        }

        var options = new ModelOptions(retries);
        IEnumerable<VariantSpec> selected = variant == "all" ? VariantCatalogue.All() : [VariantCatalogue.Find(variant)!];
        var runs = new List<VariantRun>();
        foreach (VariantSpec spec in selected)
        {
            VariantRun run = seed is ulong sd
                ? ModelCheck.Walk(spec, options, sd, walks, depth)
                : ModelCheck.Explore(spec, options, maxStates);
            ReportWriter.WriteRun(run, stdout, trace);
            runs.Add(run);
        }
        ReportWriter.WriteSummary(runs, stdout);
        bool allMatch = runs.All(r => r.Matches);
        string explored = string.Create(CultureInfo.InvariantCulture,
            $"{runs.Sum(r => r.Result.States):N0} states in {runs.Sum(r => r.Result.Elapsed.TotalSeconds):0.00} s");
        stdout.WriteLine(allMatch
            ? $"model-check: every verdict matches kernel history ({explored})"
            : $"model-check: some verdict differs from kernel history or is inconclusive ({explored})");
        return allMatch ? ModelExitCodes.Ok : ModelExitCodes.ModelMismatch;
    }

    private static int Replay(string source, TextWriter stdout, TextWriter stderr)
    {
        string text;
        if (File.Exists(source))
        {
            text = File.ReadAllText(source);
        }
        else if (source.Contains("variant:", StringComparison.Ordinal))
        {
            text = source.Contains('\n', StringComparison.Ordinal) ? source : source.Replace(';', '\n');
        }
        else
        {
            return Bad(stderr, $"--replay: '{source}' is neither a file nor a trace (a trace starts with 'variant:')");
        }
        ReplayResult result = TraceReplayer.Replay(text);
        if (result.Error is not null)
        {
            return Bad(stderr, "--replay: " + result.Error);
        }
        stdout.Write(result.Trace);
        stdout.WriteLine(result.Reproduced
            ? $"replay: reproduces {result.Found}"
            : $"replay: the trace names '{result.Violation}' but replays to '{result.Found}'");
        return result.Reproduced ? ModelExitCodes.Ok : ModelExitCodes.ModelMismatch;
    }

    private static int Bad(TextWriter stderr, string message)
    {
        stderr.WriteLine("reapd model-check: " + message);
        return ModelExitCodes.Usage;
    }

    private sealed record Request(
        string Variant, int MaxStates, int Retries, ulong? Seed, int Walks, int Depth, bool Trace, bool List, string? Replay);
}
