using System.Globalization;
using Reapd.Core.Daemon;

namespace Reapd.Daemon;

/// <summary>
/// Parses `reapd run` arguments with the same reader as the other commands. Every mistake is one line naming the
/// option and the value; nothing is started.
/// </summary>
internal static class RunOptionsParser
{
    public const string Usage = """
        usage: reapd run [--cgroup PATH] [--term-percent P] [--kill-percent P] [--grace DURATION]
                         [--settle-timeout DURATION] [--psi-full-percent P|off] [--protect NAME]...
                         [--metrics-file PATH] [--metrics-listen ADDR:PORT] [--dry-run] [--json] [--help]

        Guards the whole machine (MemAvailable, SwapFree, /proc/pressure/memory), or with --cgroup one cgroup
        subtree (v1 or v2) as if it were the machine. At or below the term level the top candidate gets SIGTERM;
        at or below the kill level, or when its grace ends, SIGKILL through its pidfd and an immediate
        process_mrelease. No second victim is chosen while the first one's memory is still coming back.

          --cgroup PATH             guard this cgroup (its directory, or its path as /proc/PID/cgroup shows it)
          --term-percent P          SIGTERM at or below P % available (default 10)
          --kill-percent P          SIGKILL at or below P % available (default 5)
          --grace DURATION          time a SIGTERMed victim gets before SIGKILL (default 3s; 0: SIGKILL at once)
          --settle-timeout DURATION longest wait for a killed victim's memory to show up (default 5s)
          --psi-full-percent P|off  a full memory stall of P % over 10 s is a kill condition (default 60)
          --protect NAME            never choose a process with this name (comm); repeatable
          --metrics-file PATH       keep Prometheus metrics in PATH (a *.prom file in node_exporter's textfile
                                    directory), rewritten atomically when something changed
          --metrics-listen ADDR:PORT  serve GET /metrics on ADDR:PORT (e.g. 127.0.0.1:9749, [::1]:9749)
          --dry-run                 do everything but signal and reap
          --json                    one JSON object per event line
          -h, --help                this text

        DURATION: 500ms, 3s, 1.5s, 2m (a bare number is seconds).
        """;

    public static RunOptions? TryParse(string[] args, out string? error)
    {
        var config = new DaemonConfig();
        string? cgroup = null, metricsFile = null;
        System.Net.IPEndPoint? metricsListen = null;
        bool json = false, termGiven = false, killGiven = false;
        var protectedNames = new List<string>();
        var options = new OptionsReader(args);
        while (options.TryNext(out string arg))
        {
            switch (arg)
            {
                case "-h" or "--help":
                    error = null;
                    return new RunOptions(config, cgroup, json, Help: true);
                case "--dry-run":
                    config = config with { DryRun = true };
                    break;
                case "--json":
                    json = true;
                    break;
                case "--cgroup":
                    cgroup = options.Value(arg);
                    break;
                case "--term-percent":
                    config = config with { TermPercent = Level(options, arg) ?? config.TermPercent };
                    termGiven = true;
                    break;
                case "--kill-percent":
                    config = config with { KillPercent = Level(options, arg) ?? config.KillPercent };
                    killGiven = true;
                    break;
                case "--grace":
                    config = config with { GraceMs = options.DurationMs(arg, options.Value(arg)) ?? config.GraceMs };
                    break;
                case "--settle-timeout":
                    int? settleMs = options.DurationMs(arg, options.Value(arg));
                    if (settleMs == 0)
                    {
                        options.Fail("--settle-timeout must be longer than 0");
                    }
                    config = config with { SettleTimeoutMs = settleMs ?? config.SettleTimeoutMs };
                    break;
                case "--psi-full-percent":
                    string? psi = options.Value(arg);
                    if (psi == "off")
                    {
                        config = config with { PsiFullPercent = null };
                    }
                    else if (psi is not null)
                    {
                        config = config with { PsiFullPercent = Level(options, arg, psi, allowHundred: true) };
                    }
                    break;
                case "--protect":
                    string? name = options.Value(arg);
                    if (name is { Length: 0 })
                    {
                        options.Fail("--protect needs a process name");
                    }
                    else if (name is not null)
                    {
                        protectedNames.Add(name);
                    }
                    break;
                case "--metrics-file":
                    metricsFile = MetricsFilePath(options, options.Value(arg)) ?? metricsFile;
                    break;
                case "--metrics-listen":
                    metricsListen = ListenEndpoint(options, options.Value(arg)) ?? metricsListen;
                    break;
                default:
                    options.Fail($"unknown option '{arg}' for run");
                    break;
            }
        }
        if (options.Problem is null && config.KillPercent > config.TermPercent)
        {
            options.Fail((termGiven, killGiven) switch
            {
                (true, true) => $"--kill-percent {Format(config.KillPercent)} is above --term-percent {Format(config.TermPercent)}",
                (true, false) => $"--term-percent {Format(config.TermPercent)} is below the default kill level {Format(config.KillPercent)} (set --kill-percent too)",
                _ => $"--kill-percent {Format(config.KillPercent)} is above the default term level {Format(config.TermPercent)} (set --term-percent too)",
            });
        }
        config = config with { ProtectedNames = protectedNames };
        error = options.Problem ?? config.Validate();
        return error is null ? new RunOptions(config, cgroup, json, Help: false) { MetricsFile = metricsFile, MetricsListen = metricsListen } : null;
    }

    /// <summary>A percentage above 0 and below 100 (at most 100 for the stall level).</summary>
    private static double? Level(OptionsReader options, string name, string? text = null, bool allowHundred = false)
    {
        text ??= options.Value(name);
        if (text is null)
        {
            return null;
        }
        if (Percent.TryParse(text, out double percent) && percent > 0 && (percent < 100 || allowHundred))
        {
            return percent;
        }
        options.Fail($"{name} must be a percentage above 0 and {(allowHundred ? "at most" : "below")} 100{(allowHundred ? ", or off" : "")}, not '{text}'");
        return null;
    }

    /// <summary>
    /// A *.prom file (node_exporter's textfile collector reads nothing else) in a directory that exists; the path is
    /// made absolute. Whether reapd may write there is found out by the first write, before the loop starts.
    /// </summary>
    private static string? MetricsFilePath(OptionsReader options, string? text)
    {
        if (text is null)
        {
            return null;
        }
        if (!text.EndsWith(".prom", StringComparison.Ordinal) || Path.GetFileName(text) == ".prom")
        {
            options.Fail($"--metrics-file must name a file ending in .prom (node_exporter's textfile collector reads only those), not '{text}'");
            return null;
        }
        string full = Path.GetFullPath(text);
        string? directory = Path.GetDirectoryName(full);
        if (directory is null || !Directory.Exists(directory))
        {
            options.Fail($"--metrics-file {text}: directory {directory} does not exist");
            return null;
        }
        return full;
    }

    /// <summary>An IP address and a port: 127.0.0.1:9749, [::1]:9749, 0.0.0.0:9749 (port 0: the kernel chooses one).</summary>
    private static System.Net.IPEndPoint? ListenEndpoint(OptionsReader options, string? text)
    {
        if (text is null)
        {
            return null;
        }
        int colon = text.LastIndexOf(':');
        bool hasPort = colon > 0 && (text[0] != '[' || text[colon - 1] == ']');
        if (hasPort && System.Net.IPEndPoint.TryParse(text, out System.Net.IPEndPoint? endpoint)
            && int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port) && port == endpoint.Port)
        {
            return endpoint;
        }
        options.Fail($"--metrics-listen must be an IP address and a port like 127.0.0.1:9749 or [::1]:9749, not '{text}'");
        return null;
    }

    private static string Format(double percent) => percent.ToString("0.##", CultureInfo.InvariantCulture);
}
