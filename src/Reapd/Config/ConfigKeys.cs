using System.Globalization;
using System.Text;
using Reapd.Announce;
using Reapd.Core.Policy;
using Reapd.Daemon;

namespace Reapd.Config;

/// <summary>
/// Every key reapd.toml knows, in the order docs/config.md and packaging/reapd.toml list them. A test checks that
/// the docs name exactly these keys and that the shipped example reads as the built-in defaults.
/// </summary>
internal static class ConfigKeys
{
    public static readonly string[] Tables = ["memory", "swap", "psi", "kill", "sampling", "choice", "guard", "output", "metrics", "notify"];

    public static readonly string[] RuleKeys = ["name", "action", "comm", "cmdline", "cmdline_not", "exe", "cgroup", "user", "adjust", "scale", "scope"];

    /// <summary>In <see cref="RuleAction"/> order.</summary>
    public static readonly string[] RuleActions = ["prefer", "avoid", "protect", "ignore"];

    /// <summary>In <see cref="KillScope"/> order.</summary>
    public static readonly string[] KillScopes = ["process", "process-group", "subtree", "cgroup"];

    /// <summary>In <see cref="ThresholdCombination"/> order.</summary>
    public static readonly string[] Combinations = ["memory-and-swap", "any-of"];

    /// <summary>In <see cref="ChoiceMode"/> order (auto, on, off), as <see cref="DesktopNotifyMode"/> too.</summary>
    public static readonly string[] Modes = ["auto", "on", "off"];

    private const int MaxMs = int.MaxValue;

    public static IReadOnlyList<ConfigKey> All { get; } =
    [
        new("memory.term_percent", (r, e) => { if (r.TryPercent(e, false, out double p)) { r.Config = r.Config with { TermPercent = p }; } }, o => Number(o.Config.TermPercent)),
        new("memory.kill_percent", (r, e) => { if (r.TryPercent(e, false, out double p)) { r.Config = r.Config with { KillPercent = p }; } }, o => Number(o.Config.KillPercent)),

        new("swap.term_percent", (r, e) => { if (r.TryPercent(e, false, out double p)) { r.Config = r.Config with { SwapTermPercent = p }; } }, o => o.Config.SwapTermPercent is double p ? Number(p) : null),
        new("swap.kill_percent", (r, e) => { if (r.TryPercent(e, false, out double p)) { r.Config = r.Config with { SwapKillPercent = p }; } }, o => o.Config.SwapKillPercent is double p ? Number(p) : null),
        new("swap.zram_aware", (r, e) => { if (r.TryBool(e, out bool b)) { r.Config = r.Config with { ZramAware = b }; } }, o => Bool(o.Config.ZramAware)),
        new("swap.combination", (r, e) => { if (r.TryChoice(e, Combinations, out int i)) { r.Config = r.Config with { Combination = (ThresholdCombination)i }; } }, o => Quote(Combinations[(int)o.Config.Combination])),

        new("psi.full_percent", (r, e) => { if (r.TryPercentOrOff(e, out double? p)) { r.Config = r.Config with { PsiFullPercent = p }; } }, o => o.Config.PsiFullPercent is double p ? Number(p) : Quote("off"), AtStartOnly: true),
        new("psi.full_window", (r, e) => { if (r.TryDuration(e, 500, 10_000, out int ms)) { r.Config = r.Config with { PsiFullWindowMs = ms }; } }, o => Duration(o.Config.PsiFullWindowMs), AtStartOnly: true),
        new("psi.full_duration", (r, e) => { if (r.TryDuration(e, 0, MaxMs, out int ms)) { r.Config = r.Config with { PsiFullDurationMs = ms }; } }, o => Duration(o.Config.PsiFullDurationMs)),
        new("psi.some_percent", (r, e) => { if (r.TryPercentOrOff(e, out double? p)) { r.Config = r.Config with { PsiSomePercent = p }; } }, o => o.Config.PsiSomePercent is double p ? Number(p) : Quote("off"), AtStartOnly: true),
        new("psi.some_window", (r, e) => { if (r.TryDuration(e, 500, 10_000, out int ms)) { r.Config = r.Config with { PsiSomeWindowMs = ms }; } }, o => Duration(o.Config.PsiSomeWindowMs), AtStartOnly: true),
        new("psi.some_duration", (r, e) => { if (r.TryDuration(e, 0, MaxMs, out int ms)) { r.Config = r.Config with { PsiSomeDurationMs = ms }; } }, o => Duration(o.Config.PsiSomeDurationMs)),

        new("psi.thrash_percent", (r, e) => { if (r.TryPercentOrOff(e, out double? p)) { r.Config = r.Config with { ThrashFullPercent = p }; } }, o => o.Config.ThrashFullPercent is double p ? Number(p) : Quote("off"), AtStartOnly: true),
        new("psi.thrash_window", (r, e) => { if (r.TryDuration(e, 500, 10_000, out int ms)) { r.Config = r.Config with { ThrashWindowMs = ms }; } }, o => Duration(o.Config.ThrashWindowMs), AtStartOnly: true),
        new("psi.thrash_duration", (r, e) => { if (r.TryDuration(e, 0, MaxMs, out int ms)) { r.Config = r.Config with { ThrashDurationMs = ms }; } }, o => Duration(o.Config.ThrashDurationMs)),
        new("psi.thrash_refault_rate", (r, e) => { if (r.TryInteger(e, 0, 100_000_000, out long n)) { r.Config = r.Config with { ThrashRefaultsPerSecond = n }; } }, o => Number(o.Config.ThrashRefaultsPerSecond), AtStartOnly: true),

        new("kill.grace", (r, e) => { if (r.TryDuration(e, 0, MaxMs, out int ms)) { r.Config = r.Config with { GraceMs = ms }; } }, o => Duration(o.Config.GraceMs)),
        new("kill.settle_timeout", (r, e) => { if (r.TryDuration(e, 1, MaxMs, out int ms)) { r.Config = r.Config with { SettleTimeoutMs = ms }; } }, o => Duration(o.Config.SettleTimeoutMs)),
        new("kill.stuck_grace", (r, e) => { if (r.TryDuration(e, 1, MaxMs, out int ms)) { r.Config = r.Config with { StuckGraceMs = ms }; } }, o => Duration(o.Config.StuckGraceMs)),
        new("kill.shmem_exit_wait", (r, e) => { if (r.TryDuration(e, 0, MaxMs, out int ms)) { r.Config = r.Config with { ShmemExitWaitMs = ms }; } }, o => Duration(o.Config.ShmemExitWaitMs)),
        new("kill.reap_slow_report", (r, e) => { if (r.TryDuration(e, 1, MaxMs, out int ms)) { r.Config = r.Config with { ReapSlowReportMs = ms }; } }, o => Duration(o.Config.ReapSlowReportMs)),
        new("kill.scope", (r, e) => { if (r.TryChoice(e, KillScopes, out int i)) { r.Config = r.Config with { KillScope = (KillScope)i }; } }, o => Quote(KillScopes[(int)o.Config.KillScope])),
        new("kill.dry_run", (r, e) => { if (r.TryBool(e, out bool b)) { r.Config = r.Config with { DryRun = b }; } }, o => Bool(o.Config.DryRun), AtStartOnly: true),

        new("sampling.max_interval", (r, e) => { if (r.TryDuration(e, 1, 60_000, out int ms)) { r.Config = r.Config with { MaxIntervalMs = ms }; } }, o => Duration(o.Config.MaxIntervalMs)),
        new("sampling.min_interval", (r, e) => { if (r.TryDuration(e, 1, 60_000, out int ms)) { r.Config = r.Config with { MinIntervalMs = ms }; } }, o => Duration(o.Config.MinIntervalMs)),
        new("sampling.in_flight_interval", (r, e) => { if (r.TryDuration(e, 1, 60_000, out int ms)) { r.Config = r.Config with { InFlightIntervalMs = ms }; } }, o => Duration(o.Config.InFlightIntervalMs)),
        new("sampling.scan_deadline", (r, e) => { if (r.TryDuration(e, 1, 60_000, out int ms)) { r.Config = r.Config with { ScanDeadlineMs = ms }; } }, o => Duration(o.Config.ScanDeadlineMs), AtStartOnly: true),
        new("sampling.assumed_allocation_mib_per_second", (r, e) => { if (r.TryInteger(e, 1, 1L << 30, out long mib)) { r.Config = r.Config with { AssumedAllocationBytesPerSecond = mib << 20 }; } }, o => (o.Config.AssumedAllocationBytesPerSecond >> 20).ToString(CultureInfo.InvariantCulture)),

        new("choice.protect", (r, e) => { if (r.TryStringArray(e, "process names (comm)", static name => Encoding.UTF8.GetByteCount(name) > 15 ? $"{ConfigReader.Show(name)} is longer than 15 bytes and can never match; expected the name as /proc/PID/comm shows it" : null, out List<string> names)) { r.Config = r.Config with { ProtectedNames = [.. names] }; } }, o => StringArray(o.Config.ProtectedNames)),
        new("choice.desktop_defaults", (r, e) => { if (r.TryBool(e, out bool b)) { r.Config = r.Config with { DesktopDefaults = b }; } }, o => Bool(o.Config.DesktopDefaults)),
        new("choice.cgroup_first", (r, e) => { if (r.TryChoice(e, Modes, out int i)) { r.Config = r.Config with { CgroupFirst = (ChoiceMode)i }; } }, o => Quote(Modes[(int)o.Config.CgroupFirst]), AtStartOnly: true),
        new("choice.kubernetes", (r, e) => { if (r.TryChoice(e, Modes, out int i)) { r.Config = r.Config with { Kubernetes = (ChoiceMode)i }; } }, o => Quote(Modes[(int)o.Config.Kubernetes]), AtStartOnly: true),

        new("guard.cgroup", (r, e) => { if (r.TryString(e, "a cgroup directory or a path as /proc/PID/cgroup shows it", out string path)) { r.Options = r.Options with { CgroupPath = path }; } }, o => o.CgroupPath is null ? null : Quote(o.CgroupPath), AtStartOnly: true),
        new("guard.state_dir", ReadStateDirectory, o => o.Config.StateDirectory is null ? null : Quote(o.Config.StateDirectory), AtStartOnly: true),
        new("output.json", (r, e) => { if (r.TryBool(e, out bool b)) { r.Options = r.Options with { Json = b }; } }, o => Bool(o.Json), AtStartOnly: true),

        new("metrics.file", ReadMetricsFile, o => o.MetricsFile is null ? null : Quote(o.MetricsFile), AtStartOnly: true),
        new("metrics.listen", ReadMetricsListen, o => o.MetricsListen is null ? null : Quote(Metrics.MetricsListener.Format(o.MetricsListen)), AtStartOnly: true),

        new("notify.desktop", (r, e) => { if (r.TryChoice(e, Modes, out int i)) { r.Announce = r.Announce with { NotifyDesktop = (DesktopNotifyMode)i }; } }, o => Quote(AnnounceOptions.ModeText(o.Announce.NotifyDesktop)), AtStartOnly: true),
        new("notify.hook_before_kill", (r, e) => { if (TryHook(r, e, out string path)) { r.Announce = r.Announce with { BeforeKillHook = path }; } }, o => o.Announce.BeforeKillHook is null ? null : Quote(o.Announce.BeforeKillHook), AtStartOnly: true),
        new("notify.hook_after_kill", (r, e) => { if (TryHook(r, e, out string path)) { r.Announce = r.Announce with { AfterKillHook = path }; } }, o => o.Announce.AfterKillHook is null ? null : Quote(o.Announce.AfterKillHook), AtStartOnly: true),
        new("notify.hook_timeout", (r, e) => { if (r.TryDuration(e, 1, MaxMs, out int ms)) { r.Announce = r.Announce with { HookTimeoutMs = ms }; } }, o => Duration(o.Announce.HookTimeoutMs), AtStartOnly: true),
    ];

    private static readonly Dictionary<string, ConfigKey> ByName = All.ToDictionary(k => k.Name, StringComparer.Ordinal);

    public static string TableList { get; } = string.Join(", ", Tables.Select(t => $"[{t}]"));

    public static bool IsTable(string name) => Array.IndexOf(Tables, name) >= 0;

    public static ConfigKey? Find(string name) => ByName.GetValueOrDefault(name);

    public static string KeyList(string table) => string.Join(", ", All.Where(k => k.Table == table).Select(k => k.Key));

    /// <summary>
    /// An absolute path: the unit's working directory is not the operator's, so a relative one would name a different
    /// place than the one meant. A directory that does not exist is not a problem here: it turns the file off at start,
    /// which the start event says (the default /run/reapd exists only under the unit).
    /// </summary>
    private static void ReadStateDirectory(ConfigReader reader, ConfigReader.Entry entry)
    {
        if (!reader.TryString(entry, "a directory by absolute path", out string path))
        {
            return;
        }
        if (path[0] != '/')
        {
            reader.Problem(entry.ValueAt, $"{entry.Name} {ConfigReader.Show(path)} is not an absolute path; expected a directory by absolute path");
            return;
        }
        reader.Config = reader.Config with { StateDirectory = path };
    }

    private static void ReadMetricsFile(ConfigReader reader, ConfigReader.Entry entry)
    {
        if (!reader.TryString(entry, "an absolute path ending in .prom", out string path))
        {
            return;
        }
        string? directory = Path.GetDirectoryName(path);
        if (path[0] != '/' || !path.EndsWith(".prom", StringComparison.Ordinal) || Path.GetFileName(path) == ".prom")
        {
            reader.Problem(entry.ValueAt, $"{entry.Name} {ConfigReader.Show(path)} is not a *.prom file by absolute path; expected an absolute path ending in .prom (node_exporter's textfile collector reads only those)");
        }
        else if (directory is null || !Directory.Exists(directory))
        {
            reader.Problem(entry.ValueAt, $"{entry.Name} {ConfigReader.Show(path)}: directory {directory} does not exist; expected a file in an existing directory");
        }
        else
        {
            reader.Options = reader.Options with { MetricsFile = path };
        }
    }

    private static void ReadMetricsListen(ConfigReader reader, ConfigReader.Entry entry)
    {
        if (!reader.TryString(entry, "an address and port like \"127.0.0.1:9749\"", out string text))
        {
            return;
        }
        if (RunOptionsParser.TryParseListen(text, out System.Net.IPEndPoint? endpoint))
        {
            reader.Options = reader.Options with { MetricsListen = endpoint };
        }
        else
        {
            reader.Problem(entry.ValueAt, $"{entry.Name} {ConfigReader.Show(text)} is not an address and port; expected an IP address and a port like \"127.0.0.1:9749\" or \"[::1]:9749\"");
        }
    }

    private static bool TryHook(ConfigReader reader, ConfigReader.Entry entry, out string path)
    {
        if (!reader.TryString(entry, "the absolute path of an executable", out path))
        {
            return false;
        }
        string? problem = path[0] != '/' ? "is not an absolute path" : RunOptionsParser.HookProblem(path);
        if (problem is null)
        {
            return true;
        }
        reader.Problem(entry.ValueAt, $"{entry.Name} {ConfigReader.Show(path)} {problem}; expected the absolute path of an executable file (run without a shell or arguments)");
        return false;
    }

    // ---- rendering, as TOML that reads back to the same value ----

    private static string Number(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);

    private static string Bool(bool value) => value ? "true" : "false";

    private static string Duration(long ms) => Quote(ConfigReader.FormatMs(ms));

    private static string StringArray(IReadOnlyList<string> values) => "[" + string.Join(", ", values.Select(Quote)) + "]";

    public static string Quote(string text)
    {
        var builder = new StringBuilder(text.Length + 2).Append('"');
        foreach (char c in text)
        {
            _ = c switch
            {
                '"' => builder.Append("\\\""),
                '\\' => builder.Append("\\\\"),
                < ' ' or '\u007f' => builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}"),
                _ => builder.Append(c),
            };
        }
        return builder.Append('"').ToString();
    }
}
