using System.Globalization;
using Reapd.Announce;
using Reapd.Core.Daemon;

namespace Reapd.Daemon;

/// <summary>
/// The `reapd run` options given on the command line, as plain values: they are laid over the configuration file's
/// settings at start and again at every reload, so a flag keeps overriding the file's key for the daemon's whole life.
/// </summary>
internal sealed record RunOverrides
{
    public double? TermPercent { get; init; }
    public double? KillPercent { get; init; }
    public int? GraceMs { get; init; }
    public int? SettleTimeoutMs { get; init; }

    public int? ScanDeadlineMs { get; init; }
    public string? StateDirectory { get; init; }

    public Core.Policy.KillScope? KillScope { get; init; }

    public Core.Policy.ChoiceMode? CgroupFirst { get; init; }

    public Core.Policy.ChoiceMode? Kubernetes { get; init; }

    /// <summary>--psi-full-percent given: <see cref="PsiFullPercent"/> is its level, or null for off.</summary>
    public bool PsiFullGiven { get; init; }
    public double? PsiFullPercent { get; init; }
    public int? PsiFullDurationMs { get; init; }

    /// <summary>--psi-some-percent given: <see cref="PsiSomePercent"/> is its level, or null for off.</summary>
    public bool PsiSomeGiven { get; init; }
    public double? PsiSomePercent { get; init; }
    public int? PsiSomeDurationMs { get; init; }

    /// <summary>--thrash-percent given: <see cref="ThrashFullPercent"/> is its level, or null for off.</summary>
    public bool ThrashGiven { get; init; }
    public double? ThrashFullPercent { get; init; }
    public int? ThrashDurationMs { get; init; }
    public int? ThrashRefaultsPerSecond { get; init; }
    public double? SwapTermPercent { get; init; }
    public double? SwapKillPercent { get; init; }
    public Core.Policy.ThresholdCombination? Combination { get; init; }
    public bool NoZramAware { get; init; }

    /// <summary>--zram-aware: opt in to zram-aware free swap (off by default; --no-zram-aware wins when both are given).</summary>
    public bool ZramAware { get; init; }
    public IReadOnlyList<string>? Protect { get; init; }
    public bool DryRun { get; init; }
    public string? CgroupPath { get; init; }
    public bool Json { get; init; }
    public string? MetricsFile { get; init; }
    public System.Net.IPEndPoint? MetricsListen { get; init; }
    public DesktopNotifyMode? NotifyDesktop { get; init; }
    public string? BeforeKillHook { get; init; }
    public string? AfterKillHook { get; init; }
    public int? HookTimeoutMs { get; init; }

    /// <summary>
    /// <paramref name="baseline"/> (the file's settings, or the built-in defaults) with these options laid over it;
    /// null and one line when the result does not hold together. <paramref name="fromFile"/> names where the levels
    /// that were not given come from, for that line.
    /// </summary>
    public RunOptions? Apply(RunOptions baseline, string? fromFile, out string? error)
    {
        ArgumentNullException.ThrowIfNull(baseline);
        DaemonConfig config = baseline.Config with
        {
            TermPercent = TermPercent ?? baseline.Config.TermPercent,
            KillPercent = KillPercent ?? baseline.Config.KillPercent,
            GraceMs = GraceMs ?? baseline.Config.GraceMs,
            SettleTimeoutMs = SettleTimeoutMs ?? baseline.Config.SettleTimeoutMs,
            ScanDeadlineMs = ScanDeadlineMs ?? baseline.Config.ScanDeadlineMs,
            StateDirectory = StateDirectory ?? baseline.Config.StateDirectory,
            KillScope = KillScope ?? baseline.Config.KillScope,
            CgroupFirst = CgroupFirst ?? baseline.Config.CgroupFirst,
            Kubernetes = Kubernetes ?? baseline.Config.Kubernetes,
            PsiFullPercent = PsiFullGiven ? PsiFullPercent : baseline.Config.PsiFullPercent,
            PsiFullDurationMs = PsiFullDurationMs ?? baseline.Config.PsiFullDurationMs,
            PsiSomePercent = PsiSomeGiven ? PsiSomePercent : baseline.Config.PsiSomePercent,
            PsiSomeDurationMs = PsiSomeDurationMs ?? baseline.Config.PsiSomeDurationMs,
            ThrashFullPercent = ThrashGiven ? ThrashFullPercent : baseline.Config.ThrashFullPercent,
            ThrashDurationMs = ThrashDurationMs ?? baseline.Config.ThrashDurationMs,
            ThrashRefaultsPerSecond = ThrashRefaultsPerSecond ?? baseline.Config.ThrashRefaultsPerSecond,
            SwapTermPercent = SwapTermPercent ?? baseline.Config.SwapTermPercent,
            SwapKillPercent = SwapKillPercent ?? baseline.Config.SwapKillPercent,
            Combination = Combination ?? baseline.Config.Combination,
            ZramAware = !NoZramAware && (ZramAware || baseline.Config.ZramAware),
            ProtectedNames = Protect ?? baseline.Config.ProtectedNames,
            DryRun = DryRun || baseline.Config.DryRun,
        };
        AnnounceOptions announce = baseline.Announce with
        {
            NotifyDesktop = NotifyDesktop ?? baseline.Announce.NotifyDesktop,
            BeforeKillHook = BeforeKillHook ?? baseline.Announce.BeforeKillHook,
            AfterKillHook = AfterKillHook ?? baseline.Announce.AfterKillHook,
            HookTimeoutMs = HookTimeoutMs ?? baseline.Announce.HookTimeoutMs,
        };
        error = null;
        string source = fromFile is null ? "default" : "configured";
        if (config.SettleTimeoutMs == 0)
        {
            error = "--settle-timeout must be longer than 0";
        }
        else if (config.ScanDeadlineMs == 0)
        {
            error = "--scan-deadline must be longer than 0";
        }
        else if (announce.HookTimeoutMs == 0)
        {
            error = "--hook-timeout must be longer than 0";
        }
        else if (config.KillPercent > config.TermPercent)
        {
            error = (TermPercent is not null, KillPercent is not null) switch
            {
                (true, true) => $"--kill-percent {Format(config.KillPercent)} is above --term-percent {Format(config.TermPercent)}",
                (true, false) => $"--term-percent {Format(config.TermPercent)} is below the {source} kill level {Format(config.KillPercent)} (set --kill-percent too)",
                _ => $"--kill-percent {Format(config.KillPercent)} is above the {source} term level {Format(config.TermPercent)} (set --term-percent too)",
            };
        }
        else if ((config.SwapKillPercent ?? config.KillPercent) > (config.SwapTermPercent ?? config.TermPercent))
        {
            error = $"--swap-kill-percent {Format(config.SwapKillPercent ?? config.KillPercent)} is above the swap term level {Format(config.SwapTermPercent ?? config.TermPercent)} (--swap-term-percent, or --term-percent when it is not given)";
        }
        error ??= config.Validate();
        return error is null
            ? baseline with
            {
                Config = config,
                CgroupPath = CgroupPath ?? baseline.CgroupPath,
                Json = Json || baseline.Json,
                MetricsFile = MetricsFile ?? baseline.MetricsFile,
                MetricsListen = MetricsListen ?? baseline.MetricsListen,
                Announce = announce,
                Overrides = this,
            }
            : null;
    }

    private static string Format(double percent) => percent.ToString("0.##", CultureInfo.InvariantCulture);
}
