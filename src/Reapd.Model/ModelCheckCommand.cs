using System.Globalization;
using Reapd.Model.Exploration;

namespace Reapd.Model;

/// <summary>
/// Entry point of 'reapd model-check': explores the selected variants and says whether every verdict is the one
/// kernel history gives (exit 0) or not, or a run was inconclusive (exit 7); bad arguments exit 2 with one line.
/// </summary>
public static class ModelCheckCommand
{
    public const string Usage = """
        usage: reapd model-check [--variant NAME|all] [--max-states N] [--retries N] [--trace]
                                 [--seed S [--walks N] [--depth N]] [--replay FILE|TRACE] [--list]

          --variant NAME|all  a variant (see --list) or all of the expected-history ones (default: all)
          --max-states N      bound of an exhaustive run; hitting it makes the run inconclusive (default: 4000000)
          --retries N         oom_reaper trylock retries, 1..10 (the kernel's 10; default: 2)
          --trace             print every counterexample step by step with the state after each step
          --seed S            seeded random walks instead of exhaustive search (never a pass: inconclusive)
          --walks N, --depth N  number and length of the random walks (default: 2000, 200)
          --replay FILE|TRACE replay a printed trace (a file, or the text itself with ';' between lines)
          --list              list the variants and what kernel history expects of them
        """;

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        string variant = "all";
        int maxStates = Explorer.DefaultMaxStates;
        int retries = ModelOptions.Default.Retries;
        ulong? seed = null;
        int walks = 2000;
        int depth = 200;
        bool trace = false;
        bool list = false;
        string? replay = null;

        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            switch (arg)
            {
                case "-h" or "--help":
                    stdout.WriteLine(Usage);
                    return ModelExitCodes.Ok;
                case "--trace":
                    trace = true;
                    continue;
                case "--list":
                    list = true;
                    continue;
                case "--variant" or "--max-states" or "--retries" or "--seed" or "--walks" or "--depth" or "--replay":
                    break;
                default:
                    return Bad(stderr, $"unknown option '{arg}' (see 'reapd model-check --help')");
            }
            if (i + 1 >= args.Length)
            {
                return Bad(stderr, $"{arg} needs a value");
            }
            string value = args[++i];
            switch (arg)
            {
                case "--variant":
                    if (value != "all" && VariantCatalogue.Find(value) is null)
                    {
                        return Bad(stderr, $"unknown variant '{value}' for --variant (known: all, {string.Join(", ", VariantCatalogue.Variants.Select(v => v.Name))})");
                    }
                    variant = value;
                    break;
                case "--max-states":
                    if (!TryInt(value, 1, int.MaxValue, out maxStates))
                    {
                        return Bad(stderr, $"--max-states wants a positive whole number, not '{value}'");
                    }
                    break;
                case "--retries":
                    if (!TryInt(value, 1, 10, out retries))
                    {
                        return Bad(stderr, $"--retries wants a whole number from 1 to 10, not '{value}'");
                    }
                    break;
                case "--walks":
                    if (!TryInt(value, 1, 100_000_000, out walks))
                    {
                        return Bad(stderr, $"--walks wants a positive whole number, not '{value}'");
                    }
                    break;
                case "--depth":
                    if (!TryInt(value, 1, 1_000_000, out depth))
                    {
                        return Bad(stderr, $"--depth wants a positive whole number, not '{value}'");
                    }
                    break;
                case "--seed":
                    if (!ulong.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out ulong s))
                    {
                        return Bad(stderr, $"--seed wants a whole number from 0 to {ulong.MaxValue}, not '{value}'");
                    }
                    seed = s;
                    break;
                case "--replay":
                    replay = value;
                    break;
            }
        }

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

    private static bool TryInt(string value, int min, int max, out int result) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out result) && result >= min && result <= max;

    private static int Bad(TextWriter stderr, string message)
    {
        stderr.WriteLine("reapd model-check: " + message);
        return ModelExitCodes.Usage;
    }
}
