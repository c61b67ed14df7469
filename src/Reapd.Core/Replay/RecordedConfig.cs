using System.Globalization;
using Reapd.Core.Daemon;
using Reapd.Core.Policy;

namespace Reapd.Core.Replay;

/// <summary>
/// The decision-relevant settings of a <see cref="DaemonConfig"/> as "config.KEY=VALUE" header lines, and back. Only
/// what the decision core reads is replayed; rules, protected names and the kill scope shape the scan, whose answers
/// are recorded, so they are written for the reader's information and not read back.
/// </summary>
public static class RecordedConfig
{
    private const string Prefix = "config.";

    public static IEnumerable<KeyValuePair<string, string>> Write(DaemonConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        yield return Pair("term_percent", Number(config.TermPercent));
        yield return Pair("kill_percent", Number(config.KillPercent));
        yield return Pair("grace_ms", Number(config.GraceMs));
        yield return Pair("settle_timeout_ms", Number(config.SettleTimeoutMs));
        yield return Pair("psi_full_percent", config.PsiFullPercent is double full ? Number(full) : "off");
        yield return Pair("psi_full_window_ms", Number(config.PsiFullWindowMs));
        yield return Pair("psi_full_duration_ms", Number(config.PsiFullDurationMs));
        yield return Pair("psi_some_percent", config.PsiSomePercent is double some ? Number(some) : "off");
        yield return Pair("psi_some_window_ms", Number(config.PsiSomeWindowMs));
        yield return Pair("psi_some_duration_ms", Number(config.PsiSomeDurationMs));
        yield return Pair("thrash_full_percent", config.ThrashFullPercent is double thrash ? Number(thrash) : "off");
        yield return Pair("thrash_window_ms", Number(config.ThrashWindowMs));
        yield return Pair("thrash_duration_ms", Number(config.ThrashDurationMs));
        yield return Pair("thrash_refaults_per_second", Number(config.ThrashRefaultsPerSecond));
        yield return Pair("swap_term_percent", config.SwapTermPercent is double swapTerm ? Number(swapTerm) : "default");
        yield return Pair("swap_kill_percent", config.SwapKillPercent is double swapKill ? Number(swapKill) : "default");
        yield return Pair("zram_aware", config.ZramAware ? "true" : "false");
        yield return Pair("combination", config.Combination.ToString());
        yield return Pair("stuck_grace_ms", Number(config.StuckGraceMs));
        yield return Pair("shmem_exit_wait_ms", Number(config.ShmemExitWaitMs));
        yield return Pair("reap_slow_report_ms", Number(config.ReapSlowReportMs));
        yield return Pair("max_interval_ms", Number(config.MaxIntervalMs));
        yield return Pair("min_interval_ms", Number(config.MinIntervalMs));
        yield return Pair("in_flight_interval_ms", Number(config.InFlightIntervalMs));
        yield return Pair("assumed_allocation_bytes_per_second", Number(config.AssumedAllocationBytesPerSecond));
        yield return Pair("dry_run", config.DryRun ? "true" : "false");
        // Information only (they act on the scan, whose answers are recorded).
        yield return Pair("kill_scope", config.KillScope.ToString());
        yield return Pair("protect", string.Join(',', config.ProtectedNames));
        yield return Pair("rules", Number(config.Rules.Count));
        yield return Pair("desktop_defaults", config.DesktopDefaults ? "true" : "false");
    }

    /// <summary>The configuration in <paramref name="header"/>; null and a description of the first bad value otherwise.</summary>
    public static DaemonConfig? TryRead(IReadOnlyDictionary<string, string> header, out string? error)
    {
        ArgumentNullException.ThrowIfNull(header);
        var config = new DaemonConfig();
        error = null;
        try
        {
            config = config with
            {
                TermPercent = Double(header, "term_percent", config.TermPercent),
                KillPercent = Double(header, "kill_percent", config.KillPercent),
                GraceMs = Long(header, "grace_ms", config.GraceMs),
                SettleTimeoutMs = Long(header, "settle_timeout_ms", config.SettleTimeoutMs),
                PsiFullPercent = OptionalDouble(header, "psi_full_percent", "off", config.PsiFullPercent),
                PsiFullWindowMs = Long(header, "psi_full_window_ms", config.PsiFullWindowMs),
                PsiFullDurationMs = Long(header, "psi_full_duration_ms", config.PsiFullDurationMs),
                PsiSomePercent = OptionalDouble(header, "psi_some_percent", "off", config.PsiSomePercent),
                PsiSomeWindowMs = Long(header, "psi_some_window_ms", config.PsiSomeWindowMs),
                PsiSomeDurationMs = Long(header, "psi_some_duration_ms", config.PsiSomeDurationMs),
                ThrashFullPercent = OptionalDouble(header, "thrash_full_percent", "off", config.ThrashFullPercent),
                ThrashWindowMs = Long(header, "thrash_window_ms", config.ThrashWindowMs),
                ThrashDurationMs = Long(header, "thrash_duration_ms", config.ThrashDurationMs),
                ThrashRefaultsPerSecond = Double(header, "thrash_refaults_per_second", config.ThrashRefaultsPerSecond),
                SwapTermPercent = OptionalDouble(header, "swap_term_percent", "default", config.SwapTermPercent),
                SwapKillPercent = OptionalDouble(header, "swap_kill_percent", "default", config.SwapKillPercent),
                ZramAware = Bool(header, "zram_aware", config.ZramAware),
                Combination = Enum(header, "combination", config.Combination),
                StuckGraceMs = Long(header, "stuck_grace_ms", config.StuckGraceMs),
                ShmemExitWaitMs = Long(header, "shmem_exit_wait_ms", config.ShmemExitWaitMs),
                ReapSlowReportMs = Long(header, "reap_slow_report_ms", config.ReapSlowReportMs),
                MaxIntervalMs = (int)Long(header, "max_interval_ms", config.MaxIntervalMs),
                MinIntervalMs = (int)Long(header, "min_interval_ms", config.MinIntervalMs),
                InFlightIntervalMs = (int)Long(header, "in_flight_interval_ms", config.InFlightIntervalMs),
                AssumedAllocationBytesPerSecond = Long(header, "assumed_allocation_bytes_per_second", config.AssumedAllocationBytesPerSecond),
                DryRun = Bool(header, "dry_run", config.DryRun),
            };
        }
        catch (FormatException bad)
        {
            error = bad.Message;
            return null;
        }
        error = config.Validate();
        return error is null ? config : null;
    }

    private static KeyValuePair<string, string> Pair(string key, string value) => new(Prefix + key, value);

    private static string Number(double value) => value.ToString("R", CultureInfo.InvariantCulture);

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static bool TryGet(IReadOnlyDictionary<string, string> header, string key, out string value) =>
        header.TryGetValue(Prefix + key, out value!);

    private static double Double(IReadOnlyDictionary<string, string> header, string key, double fallback) =>
        !TryGet(header, key, out string text) ? fallback
        : double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) && double.IsFinite(value) ? value
        : throw Bad(key, text);

    private static double? OptionalDouble(IReadOnlyDictionary<string, string> header, string key, string none, double? fallback) =>
        TryGet(header, key, out string text) && text == none ? null : TryGet(header, key, out _) ? Double(header, key, 0) : fallback;

    private static long Long(IReadOnlyDictionary<string, string> header, string key, long fallback) =>
        !TryGet(header, key, out string text) ? fallback
        : long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value) ? value
        : throw Bad(key, text);

    private static bool Bool(IReadOnlyDictionary<string, string> header, string key, bool fallback) =>
        !TryGet(header, key, out string text) ? fallback : text switch { "true" => true, "false" => false, _ => throw Bad(key, text) };

    private static ThresholdCombination Enum(IReadOnlyDictionary<string, string> header, string key, ThresholdCombination fallback) =>
        !TryGet(header, key, out string text) ? fallback
        : System.Enum.TryParse(text, ignoreCase: false, out ThresholdCombination value) && System.Enum.IsDefined(value) ? value
        : throw Bad(key, text);

    private static FormatException Bad(string key, string text) => new($"the recorded setting {Prefix}{key} has the bad value '{text}'");
}
