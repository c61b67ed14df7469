using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Reapd.Announce;
using Reapd.CommandLine;
using Reapd.Core.Daemon;
using Reapd.Core.Policy;

namespace Reapd.Daemon;

/// <summary>
/// The `reapd run` command: its options (System.CommandLine), and <see cref="Read"/>, which turns a parse into
/// <see cref="RunOptions"/>. Every mistake is one line naming the option and the value; nothing is started.
/// </summary>
internal sealed class RunOptionsParser
{
    private readonly Option<string> _cgroup = new("--cgroup")
    {
        HelpName = "PATH",
        Description = "guard this cgroup (its directory, or its path as /proc/PID/cgroup shows it) instead of the whole machine",
        CustomParser = OptionValues.NonEmptyLast,
    };

    private readonly Option<double?> _termPercent = new("--term-percent")
    {
        HelpName = "P",
        Description = "SIGTERM the top candidate at or below P % available (default 10)",
        CustomParser = result => Level(result, allowHundred: false),
    };

    private readonly Option<double?> _killPercent = new("--kill-percent")
    {
        HelpName = "P",
        Description = "SIGKILL and reap at or below P % available (default 5)",
        CustomParser = result => Level(result, allowHundred: false),
    };

    private readonly Option<int?> _grace = new("--grace")
    {
        HelpName = "DURATION",
        Description = "time a SIGTERMed victim gets before SIGKILL: 500ms, 3s, 1.5s, 2m, a bare number is seconds (default 3s; 0: SIGKILL at once)",
        CustomParser = OptionValues.DurationMs,
    };

    private readonly Option<int?> _settleTimeout = new("--settle-timeout")
    {
        HelpName = "DURATION",
        Description = "longest wait for a killed victim's memory to come back before the next victim may be chosen (default 5s)",
        CustomParser = OptionValues.DurationMs,
    };

    private readonly Option<int?> _scanDeadline = new("--scan-deadline")
    {
        HelpName = "DURATION",
        Description = "longest a scan of the processes may take; the choice is made from what was read by then, the rest is skipped and reported (default 1s)",
        CustomParser = OptionValues.DurationMs,
    };

    private readonly Option<PsiFullLevel> _psiFullPercent = new("--psi-full-percent")
    {
        HelpName = "P|off",
        Description = "a full memory stall of P % over 10 s is a kill condition; off: never (default 60)",
        // A parser's null would mean "no value" to System.CommandLine, so "off" is a level without a percentage.
        CustomParser = result => new PsiFullLevel(result.Tokens is [{ Value: "off" }] ? null : Level(result, allowHundred: true)),
    };

    private readonly Option<int?> _psiFullDuration = new("--psi-full-duration")
    {
        HelpName = "DURATION",
        Description = "the full-stall share must stay at or above its level this long before it kills (default 0s: at once)",
        CustomParser = OptionValues.DurationMs,
    };
    private readonly Option<PsiFullLevel> _psiSomePercent = new("--psi-some-percent")
    {
        HelpName = "P|off",
        Description = "a some memory stall (at least one task waiting on memory) of P % over 10 s is a kill condition; off: never (default off)",
        CustomParser = result => new PsiFullLevel(result.Tokens is [{ Value: "off" }] ? null : Level(result, allowHundred: true)),
    };
    private readonly Option<int?> _psiSomeDuration = new("--psi-some-duration")
    {
        HelpName = "DURATION",
        Description = "the some-stall share must stay at or above its level this long before it kills (default 0s: at once)",
        CustomParser = OptionValues.DurationMs,
    };
    private readonly Option<PsiFullLevel> _thrashPercent = new("--thrash-percent")
    {
        HelpName = "P|off",
        Description = "thrash: a full memory stall of P % of each 1 s while a working set comes back from swap is a kill condition; off: never (default 40)",
        CustomParser = result => new PsiFullLevel(result.Tokens is [{ Value: "off" }] ? null : Level(result, allowHundred: true)),
    };
    private readonly Option<int?> _thrashDuration = new("--thrash-duration")
    {
        HelpName = "DURATION",
        Description = "the thrash condition must hold this long, at every sample, before it kills (default 1s)",
        CustomParser = OptionValues.DurationMs,
    };
    private readonly Option<int?> _thrashRefaults = new("--thrash-refaults")
    {
        HelpName = "N",
        Description = "the anonymous refaults per second (pages swapped out and faulted back in) the thrash condition needs besides the stall; 0: no refault rate (default 250)",
        CustomParser = OptionValues.IntFromTo(0, 100_000_000),
    };
    private readonly Option<double?> _swapTermPercent = new("--swap-term-percent")
    {
        HelpName = "P",
        Description = "the swap side of the term level: at or below P % of swap free (default: the --term-percent value)",
        CustomParser = SwapLevel,
    };
    private readonly Option<double?> _swapKillPercent = new("--swap-kill-percent")
    {
        HelpName = "P",
        Description = "the swap side of the kill level: at or below P % of swap free (default: the --kill-percent value)",
        CustomParser = SwapLevel,
    };
    private readonly Option<ThresholdCombination?> _combination = new("--threshold-combination")
    {
        HelpName = "memory-and-swap|any-of",
        Description = "memory-and-swap: low memory counts only with low swap where there is swap (earlyoom's rule, default); any-of: either alone",
        CustomParser = Combination,
    };
    private readonly Option<bool> _zramAware = new("--zram-aware")
    {
        Description = "count free zram swap as no more than zram can still absorb: memory left to swap out, and the device's mem_limit (off by default)",
        Arity = ArgumentArity.Zero,
    };
    private readonly Option<bool> _noZramAware = new("--no-zram-aware")
    {
        Description = "count free zram swap as SwapFree says (the default), also when the configuration file turns zram-awareness on",
        Arity = ArgumentArity.Zero,
    };
    private readonly Option<string[]> _protect = new("--protect")
    {
        HelpName = "NAME",
        Description = "never choose a process with this name (comm); repeatable",
        Arity = ArgumentArity.OneOrMore,
        CustomParser = OptionValues.NonEmptyEach,
    };

    private readonly Option<string> _metricsFile = new("--metrics-file")
    {
        HelpName = "FILE",
        Description = "keep Prometheus metrics in FILE (a *.prom file in node_exporter's textfile directory), rewritten atomically when something changed",
        CustomParser = MetricsFilePath,
    };

    private readonly Option<System.Net.IPEndPoint> _metricsListen = new("--metrics-listen")
    {
        HelpName = "ADDR:PORT",
        Description = "serve GET /metrics on ADDR:PORT (e.g. 127.0.0.1:9749, [::1]:9749)",
        CustomParser = ListenEndpoint,
    };

    private readonly Option<DesktopNotifyMode?> _notifyDesktop = new("--notify-desktop")
    {
        HelpName = "auto|on|off",
        Description = "a desktop notification of each kill on every logged-in user's session bus (/run/user/UID/bus): auto, where one exists (default); on, and report a kill with none; off",
        CustomParser = NotifyMode,
    };

    private readonly Option<string> _hookBeforeKill = new("--hook-before-kill")
    {
        HelpName = "PROGRAM",
        Description = "run PROGRAM (an executable, no shell, no arguments; the victim in REAPD_* variables) as each signal is sent; the kill never waits for it",
        CustomParser = HookProgram,
    };

    private readonly Option<string> _hookAfterKill = new("--hook-after-kill")
    {
        HelpName = "PROGRAM",
        Description = "run PROGRAM once the victim has settled, with REAPD_FREED_BYTES too",
        CustomParser = HookProgram,
    };

    private readonly Option<int?> _hookTimeout = new("--hook-timeout")
    {
        HelpName = "DURATION",
        Description = "a hook (or desktop notifier) still running after this is killed with its process group (default 10s)",
        CustomParser = OptionValues.DurationMs,
    };

    private readonly Option<string> _stateDir = new("--state-dir")
    {
        HelpName = "DIR",
        Description = "keep the victim in flight in DIR/victim, so that a restarted reapd adopts it instead of choosing another (default /run/reapd; off when DIR does not exist)",
        CustomParser = OptionValues.NonEmptyLast,
    };

    private readonly Option<string> _record = new("--record")
    {
        HelpName = "FILE",
        Description = "write every sample, scan answer, signal and reap outcome and decision to FILE for 'reapd replay' (bounded: rotated to FILE.1)",
        CustomParser = RecordFilePath,
    };

    private readonly Option<int?> _recordMaxMib = new("--record-max-mib")
    {
        HelpName = "N",
        Description = "keep at most N MiB of recording, FILE and FILE.1 together (default 16)",
        CustomParser = OptionValues.PositiveInt,
    };

    private readonly Option<KillScope?> _killScope = new("--kill-scope")
    {
        HelpName = "process|process-group|subtree|cgroup",
        Description = "what dies with the victim besides its mm sharers: nothing more (process, default), its process group, its descendants, or its whole unit cgroup (docs/cgroups.md)",
        CustomParser = ScopeValue,
    };

    private readonly Option<ChoiceMode?> _cgroupFirst = new("--cgroup-first")
    {
        HelpName = "auto|on|off",
        Description = "choose the unit cgroup first (most usage over memory.min/low), then the process in it: auto, on cgroup v2 with systemd as PID 1 (default)",
        CustomParser = result => Mode(result),
    };

    private readonly Option<ChoiceMode?> _kubernetes = new("--kubernetes")
    {
        HelpName = "auto|on|off",
        Description = "rank pods by QoS class as the kubelet evicts (best effort, burstable by usage over request, guaranteed last): auto, where kubepods cgroups exist (default)",
        CustomParser = result => Mode(result),
    };

    private readonly Option<bool> _dryRun = new("--dry-run")
    {
        Description = "do everything but signal and reap (no hooks, no desktop notifications)",
        Arity = ArgumentArity.Zero,
    };

    private readonly Option<string> _config = new("--config")
    {
        HelpName = "FILE",
        Description = "read the settings from FILE instead of /etc/reapd/reapd.toml (options given here override its keys; SIGHUP reads it again)",
        CustomParser = OptionValues.NonEmptyLast,
    };

    private readonly Option<bool> _json = new("--json")
    {
        Description = "one JSON object per event line",
        Arity = ArgumentArity.Zero,
    };

    public RunOptionsParser()
    {
        _psiFullPercent.CompletionSources.Add("off");
        _psiSomePercent.CompletionSources.Add("off");
        _combination.CompletionSources.Add("memory-and-swap", "any-of");
        _notifyDesktop.CompletionSources.Add("auto", "on", "off");
        _killScope.CompletionSources.Add("process", "process-group", "subtree", "cgroup");
        _cgroupFirst.CompletionSources.Add("auto", "on", "off");
        _kubernetes.CompletionSources.Add("auto", "on", "off");
        Command = new DocumentedCommand("run",
            "the daemon: guards the machine (or one cgroup), SIGTERMs the top candidate at 10 % available, SIGKILLs and reaps at 5 %, and picks no second victim until the first one's memory is back; Prometheus metrics in a textfile for node_exporter and/or on GET /metrics; a desktop notification to each logged-in user and your hooks before and after a kill, never holding it up")
        {
            Details = """
                Guards the whole machine (MemAvailable, SwapFree, /proc/pressure/memory), or with --cgroup one cgroup
                subtree (v1 or v2) as if it were the machine. At or below the term level the top candidate gets SIGTERM;
                at or below the kill level, or when its grace ends, SIGKILL through its pidfd and an immediate
                process_mrelease. No second victim is chosen while the first one's memory is still coming back. Runs until
                SIGTERM or SIGINT; 'reapd' without a command is 'reapd run' with these defaults. The metrics are described
                in docs/metrics.md; the kill hooks and desktop notifications in docs/notifications.md.
                """,
            DocLink = "docs/daemon.md",
        };
        Command.Options.Add(_config);
        Command.Options.Add(_cgroup);
        Command.Options.Add(_termPercent);
        Command.Options.Add(_killPercent);
        Command.Options.Add(_grace);
        Command.Options.Add(_settleTimeout);
        Command.Options.Add(_scanDeadline);
        Command.Options.Add(_psiFullPercent);
        Command.Options.Add(_psiFullDuration);
        Command.Options.Add(_psiSomePercent);
        Command.Options.Add(_psiSomeDuration);
        Command.Options.Add(_thrashPercent);
        Command.Options.Add(_thrashDuration);
        Command.Options.Add(_thrashRefaults);
        Command.Options.Add(_swapTermPercent);
        Command.Options.Add(_swapKillPercent);
        Command.Options.Add(_combination);
        Command.Options.Add(_zramAware);
        Command.Options.Add(_noZramAware);
        Command.Options.Add(_protect);
        Command.Options.Add(_metricsFile);
        Command.Options.Add(_metricsListen);
        Command.Options.Add(_notifyDesktop);
        Command.Options.Add(_hookBeforeKill);
        Command.Options.Add(_hookAfterKill);
        Command.Options.Add(_hookTimeout);
        Command.Options.Add(_stateDir);
        Command.Options.Add(_record);
        Command.Options.Add(_recordMaxMib);
        Command.Options.Add(_killScope);
        Command.Options.Add(_cgroupFirst);
        Command.Options.Add(_kubernetes);
        Command.Options.Add(_dryRun);
        Command.Options.Add(_json);
    }

    /// <summary>The `run` command; its action is set by the dispatcher.</summary>
    public DocumentedCommand Command { get; }

    /// <summary>Parses `reapd run` arguments alone (the tests and the in-process daemon tests use this).</summary>
    public static RunOptions? TryParse(string[] args, out string? error)
    {
        var parser = new RunOptionsParser();
        ParseResult result = parser.Command.Parse(args);
        if (result.Errors.Count > 0)
        {
            error = ParseProblem.Describe(result);
            return null;
        }
        return parser.Read(result, out error);
    }

    /// <summary>The options of a parse without errors, or null and one line when they do not fit together.</summary>
    public RunOptions? Read(ParseResult result, out string? error) => Read(result, out error, out _);

    /// <summary>
    /// The configuration file's settings (--config FILE, or /etc/reapd/reapd.toml when it exists) with the options
    /// given here laid over them. A bad file: null, every problem (one per line) and <see cref="ExitCodes.ConfigInvalid"/>;
    /// options that do not fit together: null, one line and <see cref="ExitCodes.Usage"/>.
    /// </summary>
    public RunOptions? Read(ParseResult result, out string? error, out int exitCode)
    {
        ArgumentNullException.ThrowIfNull(result);
        RunOverrides overrides = ReadOverrides(result);
        string? configPath = result.GetValue(_config);
        Config.ConfigLoad load = Config.ConfigFile.Load(configPath);
        if (!load.Ok)
        {
            error = string.Join(Environment.NewLine, load.Problems);
            exitCode = ExitCodes.ConfigInvalid;
            return null;
        }
        if (result.GetResult(_recordMaxMib) is not null && result.GetValue(_record) is null)
        {
            error = "--record-max-mib needs --record FILE";
            exitCode = ExitCodes.Usage;
            return null;
        }
        RunOptions? options = overrides.Apply(load.Options!, load.File, out error);
        exitCode = options is null ? ExitCodes.Usage : ExitCodes.Ok;
        return options is null ? null : options with
        {
            ConfigPath = configPath,
            ConfigFileRead = load.File,
            RecordPath = result.GetValue(_record),
            RecordMaxBytes = (result.GetValue(_recordMaxMib) ?? (int)(DecisionRecorder.DefaultMaxBytes >> 20)) * (1L << 20),
        };
    }

    /// <summary>What the command line says, before any file is read (the same values are laid over every reload).</summary>
    private RunOverrides ReadOverrides(ParseResult result) => new()
    {
        TermPercent = result.GetValue(_termPercent),
        KillPercent = result.GetValue(_killPercent),
        GraceMs = result.GetValue(_grace),
        SettleTimeoutMs = result.GetValue(_settleTimeout),
        ScanDeadlineMs = result.GetValue(_scanDeadline),
        StateDirectory = result.GetValue(_stateDir),
        KillScope = result.GetValue(_killScope),
        CgroupFirst = result.GetValue(_cgroupFirst),
        Kubernetes = result.GetValue(_kubernetes),
        // Given: a level, or null for "off"; not given: the file's or the default.
        PsiFullGiven = result.GetResult(_psiFullPercent) is not null,
        PsiFullPercent = result.GetResult(_psiFullPercent) is null ? null : result.GetValue(_psiFullPercent).Percent,
        PsiFullDurationMs = result.GetValue(_psiFullDuration),
        PsiSomeGiven = result.GetResult(_psiSomePercent) is not null,
        PsiSomePercent = result.GetResult(_psiSomePercent) is null ? null : result.GetValue(_psiSomePercent).Percent,
        PsiSomeDurationMs = result.GetValue(_psiSomeDuration),
        ThrashGiven = result.GetResult(_thrashPercent) is not null,
        ThrashFullPercent = result.GetResult(_thrashPercent) is null ? null : result.GetValue(_thrashPercent).Percent,
        ThrashDurationMs = result.GetValue(_thrashDuration),
        ThrashRefaultsPerSecond = result.GetValue(_thrashRefaults),
        SwapTermPercent = result.GetValue(_swapTermPercent),
        SwapKillPercent = result.GetValue(_swapKillPercent),
        Combination = result.GetValue(_combination),
        NoZramAware = result.GetValue(_noZramAware),
        ZramAware = result.GetValue(_zramAware),
        Protect = result.GetValue(_protect),
        DryRun = result.GetValue(_dryRun),
        CgroupPath = result.GetValue(_cgroup),
        Json = result.GetValue(_json),
        MetricsFile = result.GetValue(_metricsFile),
        MetricsListen = result.GetValue(_metricsListen),
        NotifyDesktop = result.GetValue(_notifyDesktop),
        BeforeKillHook = result.GetValue(_hookBeforeKill),
        AfterKillHook = result.GetValue(_hookAfterKill),
        HookTimeoutMs = result.GetValue(_hookTimeout),
    };

    /// <summary>A percentage above 0 and below 100 (at most 100 for the stall level).</summary>
    private static double? Level(ArgumentResult result, bool allowHundred)
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
        if (Percent.TryParse(text, out double percent) && percent > 0 && (percent < 100 || allowHundred))
        {
            return percent;
        }
        result.AddError($"{OptionValues.NameOf(result)} must be a percentage above 0 and {(allowHundred ? "at most" : "below")} 100{(allowHundred ? ", or off" : "")}, not '{text}'");
        return null;
    }

    /// <summary>
    /// A *.prom file (node_exporter's textfile collector reads nothing else) in a directory that exists; the path is
    /// made absolute. Whether reapd may write there is found out by the first write, before the loop starts.
    /// </summary>
    private static string? MetricsFilePath(ArgumentResult result)
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
        if (!text.EndsWith(".prom", StringComparison.Ordinal) || Path.GetFileName(text) == ".prom")
        {
            result.AddError($"--metrics-file must name a file ending in .prom (node_exporter's textfile collector reads only those), not '{text}'");
            return null;
        }
        string full = Path.GetFullPath(text);
        string? directory = Path.GetDirectoryName(full);
        if (directory is null || !Directory.Exists(directory))
        {
            result.AddError($"--metrics-file {text}: directory {directory} does not exist");
            return null;
        }
        return full;
    }

    /// <summary>A file in a directory that exists (made absolute); whether reapd may write it is found out when it starts.</summary>
    private static string? RecordFilePath(ArgumentResult result)
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
        string full = text.Length == 0 ? "" : Path.GetFullPath(text);
        string? directory = full.Length == 0 ? null : Path.GetDirectoryName(full);
        if (directory is null || Directory.Exists(full) || !Directory.Exists(directory))
        {
            result.AddError(text.Length == 0 ? "--record needs a file name"
                : Directory.Exists(full) ? $"--record {text}: is a directory" : $"--record {text}: directory {directory} does not exist");
            return null;
        }
        return full;
    }

    /// <summary>An IP address and a port: 127.0.0.1:9749, [::1]:9749, 0.0.0.0:9749 (port 0: the kernel chooses one).</summary>
    private static System.Net.IPEndPoint? ListenEndpoint(ArgumentResult result)
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
        if (TryParseListen(text, out System.Net.IPEndPoint? endpoint))
        {
            return endpoint;
        }
        result.AddError($"--metrics-listen must be an IP address and a port like 127.0.0.1:9749 or [::1]:9749, not '{text}'");
        return null;
    }

    /// <summary>The --metrics-listen form, also the configuration file's metrics.listen: the port must be written.</summary>
    internal static bool TryParseListen(string text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out System.Net.IPEndPoint? endpoint)
    {
        int colon = text.LastIndexOf(':');
        bool hasPort = colon > 0 && (text[0] != '[' || text[colon - 1] == ']');
        if (hasPort && System.Net.IPEndPoint.TryParse(text, out endpoint)
            && int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int port) && port == endpoint.Port)
        {
            return true;
        }
        endpoint = null;
        return false;
    }

    private static KillScope? ScopeValue(ArgumentResult result)
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
        switch (text)
        {
            case "process":
                return KillScope.Process;
            case "process-group":
                return KillScope.ProcessGroup;
            case "subtree":
                return KillScope.Subtree;
            case "cgroup":
                return KillScope.Cgroup;
            default:
                result.AddError($"--kill-scope must be process, process-group, subtree or cgroup, not '{text}'");
                return null;
        }
    }

    private static ChoiceMode? Mode(ArgumentResult result)
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
        switch (text)
        {
            case "auto":
                return ChoiceMode.Auto;
            case "on":
                return ChoiceMode.On;
            case "off":
                return ChoiceMode.Off;
            default:
                result.AddError($"{OptionValues.NameOf(result)} must be auto, on or off, not '{text}'");
                return null;
        }
    }

    /// <summary>A swap percentage: at least 0 (swap entirely used) and below 100.</summary>
    private static double? SwapLevel(ArgumentResult result)
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
        if (Percent.TryParse(text, out double percent) && percent >= 0 && percent < 100)
        {
            return percent;
        }
        result.AddError($"{OptionValues.NameOf(result)} must be a percentage from 0 to below 100, not '{text}'");
        return null;
    }

    private static ThresholdCombination? Combination(ArgumentResult result)
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
        switch (text)
        {
            case "memory-and-swap":
                return ThresholdCombination.MemoryAndSwap;
            case "any-of":
                return ThresholdCombination.AnyOf;
            default:
                result.AddError($"--threshold-combination must be memory-and-swap or any-of, not '{text}'");
                return null;
        }
    }

    private static DesktopNotifyMode? NotifyMode(ArgumentResult result)
    {
        string text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
        switch (text)
        {
            case "auto":
                return DesktopNotifyMode.Auto;
            case "on":
                return DesktopNotifyMode.On;
            case "off":
                return DesktopNotifyMode.Off;
            default:
                result.AddError($"--notify-desktop must be auto, on or off, not '{text}'");
                return null;
        }
    }

    /// <summary>
    /// A hook is one executable, given by its path and run without a shell and without arguments (everything about
    /// the victim is in its environment): nothing in a process name can then reach a shell. It is checked here, so a
    /// hook that could never run is a start error, not a surprise at the first kill. The path is made absolute.
    /// </summary>
    private static string? HookProgram(ArgumentResult result)
    {
        string name = OptionValues.NameOf(result);
        string path = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
        if (path.Length == 0)
        {
            result.AddError($"{name} needs the path of an executable");
            return null;
        }
        string full = Path.GetFullPath(path);
        if (HookProblem(full) is string problem)
        {
            result.AddError($"{name} {path}: {problem}");
            return null;
        }
        return full;
    }

    /// <summary>Why the executable at <paramref name="fullPath"/> cannot be a hook, or null (the configuration file checks the same).</summary>
    internal static string? HookProblem(string fullPath)
    {
        if (Directory.Exists(fullPath) || !File.Exists(fullPath))
        {
            return "no such file";
        }
        if (!OperatingSystem.IsWindows() && (File.GetUnixFileMode(fullPath) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) == 0)
        {
            return "not executable";
        }
        return null;
    }

    /// <summary>The value of --psi-full-percent: a percentage, or null for "off".</summary>
    private readonly record struct PsiFullLevel(double? Percent);
}
