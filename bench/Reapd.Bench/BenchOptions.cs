using System.Globalization;

namespace Reapd.Bench;

/// <summary>The runner's command line.</summary>
internal sealed record BenchOptions
{
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

    /// <summary>Running inside a QEMU guest (cgroup v2, systemd): the guest's own scenario and daemons.</summary>
    public bool InGuest { get; init; }

    /// <summary>--build-programs: build the C programs into artifacts/bench-native and run nothing.</summary>
    public bool BuildProgramsOnly { get; init; }

    /// <summary>The daemon name of the --baseline binary in every table.</summary>
    public const string BaselineDaemon = "reapd-base";

    /// <summary>Every daemon the runner knows, in the order a round starts from.</summary>
    public static readonly string[] KnownDaemons = ["kernel", "earlyoom", "nohang", "systemd-oomd", "mglru", "reapd", BaselineDaemon];

    /// <summary>Daemons only the guest mode runs (they need systemd on cgroup v2, or MGLRU): not run unless asked for or in a guest.</summary>
    public static readonly string[] GuestDaemons = ["systemd-oomd", "mglru"];

    /// <summary>
    /// The daemons to run, in <see cref="KnownDaemons"/> order: those --daemons names (all but reapd-base when it is
    /// not given), and reapd-base whenever --baseline is.
    /// </summary>
    public IReadOnlyList<string> DaemonNames =>
        KnownDaemons.Where(d => d == BaselineDaemon ? BaselineBinary != null
            : Daemons is null ? InGuest || !GuestDaemons.Contains(d) : Daemons.Contains(d)).ToList();

    /// <summary>
    /// Parses the arguments as the runner does; on bad input returns null and one line saying what is wrong, on
    /// --help null and "".
    /// </summary>
    public static BenchOptions? Parse(string[] args, out string? error)
    {
        var command = new BenchCommandLine();
        System.CommandLine.ParseResult result = command.Command.Parse(args);
        if (result.Action is System.CommandLine.Help.HelpAction or Reapd.CommandLine.HelpText)
        {
            error = "";
            return null;
        }
        if (result.Errors.Count > 0)
        {
            error = "bench: " + Reapd.CommandLine.ParseProblem.Describe(result);
            return null;
        }
        BenchOptions? options = command.Read(result, out error);
        error = error is null ? null : "bench: " + error;
        return options;
    }
}
