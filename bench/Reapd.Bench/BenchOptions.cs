using System.Globalization;

namespace Reapd.Bench;

/// <summary>The runner's command line.</summary>
internal sealed record BenchOptions
{
    public const string Usage = """
        usage: dotnet run --project bench/Reapd.Bench -c Release -- [options]     (as root)

          --quick                 development mode: a memory cgroup with a 512 MiB limit as the scope, 2 runs,
                                  10 s idle; never fills the machine
          --runs N                runs per scenario and daemon (default 5; quick 2)
          --scenarios a,b         only these scenarios (slugs: ramp-1gib, full-speed, small-and-big,
                                  blocked-exit, fork-storm, idle)
          --daemons a,b           only these daemons (kernel, earlyoom, nohang, reapd; reapd-base comes
                                  with --baseline)
          --idle-seconds S        length of one idle window (default 60; quick 10)
          --reapd PATH            use this reapd binary instead of publishing src/Reapd
          --baseline PATH         also run this second reapd binary (an older build, say) as the daemon
                                  'reapd-base': same flags, same rounds, and ratios reapd / reapd-base
          --results DIR           where to write the tables and timelines (default bench/results)
          --no-readme             do not update the Performance section of README.md
        """;

    public bool Quick { get; init; }

    public int Runs { get; init; }

    public string[]? Scenarios { get; init; }

    public string[]? Daemons { get; init; }

    public int IdleSeconds { get; init; }

    public string? ReapdBinary { get; init; }

    /// <summary>A second reapd binary, run as <see cref="BaselineDaemon"/> beside reapd, or null.</summary>
    public string? BaselineBinary { get; init; }

    public string? ResultsDirectory { get; init; }

    public bool UpdateReadme { get; init; } = true;

    /// <summary>The daemon name of the --baseline binary in every table.</summary>
    public const string BaselineDaemon = "reapd-base";

    /// <summary>Every daemon the runner knows, in the order a round starts from.</summary>
    public static readonly string[] KnownDaemons = ["kernel", "earlyoom", "nohang", "reapd", BaselineDaemon];

    /// <summary>
    /// The daemons to run, in <see cref="KnownDaemons"/> order: those --daemons names (all but reapd-base when it is
    /// not given), and reapd-base whenever --baseline is.
    /// </summary>
    public IReadOnlyList<string> DaemonNames =>
        KnownDaemons.Where(d => d == BaselineDaemon ? BaselineBinary != null : Daemons is null || Daemons.Contains(d)).ToList();

    /// <summary>Parses the arguments; on bad input returns null and one line saying what is wrong.</summary>
    public static BenchOptions? Parse(string[] args, out string? error)
    {
        error = null;
        bool quick = args.Contains("--quick");
        int? runs = null, idle = null;
        string[]? scenarios = null, daemons = null;
        string? reapd = null, baseline = null, results = null;
        bool readme = true;
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            string? v = i + 1 < args.Length ? args[i + 1] : null;
            switch (a)
            {
                case "--quick":
                    break;
                case "--no-readme":
                    readme = false;
                    break;
                case "--runs" when v != null && int.TryParse(v, CultureInfo.InvariantCulture, out int n) && n > 0:
                    runs = n;
                    i++;
                    break;
                case "--idle-seconds" when v != null && int.TryParse(v, CultureInfo.InvariantCulture, out int s) && s > 0:
                    idle = s;
                    i++;
                    break;
                case "--scenarios" when v != null:
                    scenarios = v.Split(',', StringSplitOptions.RemoveEmptyEntries);
                    i++;
                    break;
                case "--daemons" when v != null:
                    daemons = v.Split(',', StringSplitOptions.RemoveEmptyEntries);
                    i++;
                    break;
                case "--reapd" when v != null:
                    reapd = v;
                    i++;
                    break;
                case "--baseline" when v != null:
                    baseline = v;
                    i++;
                    break;
                case "--results" when v != null:
                    results = v;
                    i++;
                    break;
                case "-h" or "--help":
                    error = "";
                    return null;
                default:
                    error = $"bench: bad argument '{a}'" + (v is null && a.StartsWith("--", StringComparison.Ordinal) ? " (missing or invalid value)" : "");
                    return null;
            }
        }
        if (daemons?.FirstOrDefault(d => !KnownDaemons.Contains(d)) is { } unknown)
        {
            error = $"bench: unknown daemon '{unknown}' in --daemons (known: {string.Join(", ", KnownDaemons)})";
            return null;
        }
        if (baseline is null && daemons?.Contains(BaselineDaemon) == true)
        {
            error = $"bench: '{BaselineDaemon}' in --daemons needs --baseline PATH (the second reapd binary)";
            return null;
        }
        return new BenchOptions
        {
            Quick = quick,
            Runs = runs ?? (quick ? 2 : 5),
            Scenarios = scenarios,
            Daemons = daemons,
            IdleSeconds = idle ?? (quick ? 10 : 60),
            ReapdBinary = reapd,
            BaselineBinary = baseline,
            ResultsDirectory = results,
            UpdateReadme = readme,
        };
    }
}
