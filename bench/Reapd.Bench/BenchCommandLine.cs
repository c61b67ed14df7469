using System.CommandLine;
using Reapd.CommandLine;

namespace Reapd.Bench;

/// <summary>The runner's command line, in the style of reapd's own commands (Reapd.CommandLine).</summary>
internal sealed class BenchCommandLine
{
    private readonly Option<bool> _quick = new("--quick")
    {
        Description = "development mode: a memory cgroup with a 512 MiB limit as the scope, 2 runs, 10 s idle; never fills the machine",
        Arity = ArgumentArity.Zero,
    };

    private readonly Option<int?> _runs = new("--runs")
    {
        HelpName = "N",
        Description = "runs per scenario and daemon (default 5; quick 2)",
        CustomParser = OptionValues.PositiveInt,
    };

    private readonly Option<string[]> _scenarios = new("--scenarios")
    {
        HelpName = "a,b",
        Description = "only these scenarios (ramp-1gib, full-speed, small-and-big, blocked-exit, fork-storm, idle, swap-thrash-zram, swap-thrash-file)",
        Arity = ArgumentArity.ExactlyOne,
        CustomParser = OptionValues.CommaList,
    };

    private readonly Option<string[]> _daemons = new("--daemons")
    {
        HelpName = "a,b",
        Description = "only these daemons (kernel, earlyoom, nohang, reapd; in a guest also systemd-oomd, mglru; reapd-base comes with --baseline)",
        Arity = ArgumentArity.ExactlyOne,
        CustomParser = OptionValues.CommaList,
    };

    private readonly Option<int?> _idleSeconds = new("--idle-seconds")
    {
        HelpName = "S",
        Description = "length of one idle window (default 60; quick 10)",
        CustomParser = OptionValues.PositiveInt,
    };

    private readonly Option<string> _reapd = new("--reapd")
    {
        HelpName = "FILE",
        Description = "use this reapd binary instead of publishing src/Reapd",
        CustomParser = OptionValues.NonEmptyLast,
    };

    private readonly Option<string> _baseline = new("--baseline")
    {
        HelpName = "FILE",
        Description = "also run this second reapd binary (an older build, say) as the daemon 'reapd-base': same flags, same rounds, and ratios reapd / reapd-base",
        CustomParser = OptionValues.NonEmptyLast,
    };

    private readonly Option<string> _results = new("--results")
    {
        HelpName = "DIR",
        Description = "where to write the tables and timelines (default bench/results)",
        CustomParser = OptionValues.NonEmptyLast,
    };

    private readonly Option<bool> _noReadme = new("--no-readme")
    {
        Description = "do not update the Performance section of README.md",
        Arity = ArgumentArity.Zero,
    };

    private readonly Option<bool> _inGuest = new("--in-guest")
    {
        Description = "inside a QEMU guest with systemd on cgroup v2 (how the guest mode runs the runner): the whole-guest swap thrash, with systemd-oomd and MGLRU's min_ttl_ms too",
        Arity = ArgumentArity.Zero,
    };

    private readonly Option<bool> _buildPrograms = new("--build-programs")
    {
        Description = "only build the C programs the runner drives into artifacts/bench-native, and exit (the guest mode's launcher does this on the host: the guest's root is read-only)",
        Arity = ArgumentArity.Zero,
    };

    public BenchCommandLine()
    {
        Command = new DocumentedCommand("bench", "side-by-side benchmark of reapd against earlyoom, nohang and the kernel's OOM killer (as root)")
        {
            Details = "Run it with: dotnet run --project bench/Reapd.Bench -c Release -- [options]. Scenarios, columns and safety guards: bench/README.md.",
        };
        Command.Options.Add(HelpText.CreateOption());
        Command.Options.Add(_quick);
        Command.Options.Add(_runs);
        Command.Options.Add(_scenarios);
        Command.Options.Add(_daemons);
        Command.Options.Add(_idleSeconds);
        Command.Options.Add(_reapd);
        Command.Options.Add(_baseline);
        Command.Options.Add(_results);
        Command.Options.Add(_noReadme);
        Command.Options.Add(_inGuest);
        Command.Options.Add(_buildPrograms);
        HelpText.Apply(Command, "bench");
    }

    public DocumentedCommand Command { get; }

    /// <summary>The options of a parse without errors, or null and one line when they do not fit together.</summary>
    public BenchOptions? Read(ParseResult result, out string? error)
    {
        ArgumentNullException.ThrowIfNull(result);
        bool quick = result.GetValue(_quick);
        // Not given is null (every one), not the empty list System.CommandLine gives an absent collection option.
        string[]? daemons = result.GetResult(_daemons) is null ? null : result.GetValue(_daemons);
        string? baseline = result.GetValue(_baseline);
        error = null;
        if (daemons?.FirstOrDefault(d => !BenchOptions.KnownDaemons.Contains(d)) is { } unknown)
        {
            error = $"unknown daemon '{unknown}' in --daemons (known: {string.Join(", ", BenchOptions.KnownDaemons)})";
            return null;
        }
        if (baseline is null && daemons?.Contains(BenchOptions.BaselineDaemon) == true)
        {
            error = $"'{BenchOptions.BaselineDaemon}' in --daemons needs --baseline FILE (the second reapd binary)";
            return null;
        }
        return new BenchOptions
        {
            Quick = quick,
            Runs = result.GetValue(_runs) ?? (quick ? 2 : 5),
            Scenarios = result.GetResult(_scenarios) is null ? null : result.GetValue(_scenarios),
            Daemons = daemons,
            IdleSeconds = result.GetValue(_idleSeconds) ?? (quick ? 10 : 60),
            ReapdBinary = result.GetValue(_reapd),
            BaselineBinary = baseline,
            ResultsDirectory = result.GetValue(_results),
            UpdateReadme = !result.GetValue(_noReadme),
            InGuest = result.GetValue(_inGuest),
            BuildProgramsOnly = result.GetValue(_buildPrograms),
        };
    }
}
