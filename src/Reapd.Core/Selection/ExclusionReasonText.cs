namespace Reapd.Core.Selection;

/// <summary>One human line per exclusion reason, for `reapd ls` and the daemon's log.</summary>
public static class ExclusionReasonText
{
    public static string Describe(this ExclusionReason reason) => reason switch
    {
        ExclusionReason.None => "candidate",
        ExclusionReason.Init => "PID 1 (init): killing it would take the whole machine or container down",
        ExclusionReason.KernelThread => "kernel thread (PF_KTHREAD): it has no user memory and cannot be killed",
        ExclusionReason.Self => "reapd itself",
        ExclusionReason.NoMemory => "zombie or exiting: it holds no mm any more, so killing it frees nothing",
        ExclusionReason.OomScoreAdjMin => "oom_score_adj -1000: marked as never to be killed",
        ExclusionReason.Protected => "protected by name or by a protect rule: never chosen, never killed with another",
        ExclusionReason.Ignored => "ignored by a rule: never chosen, but it may die with a wider kill scope",
        ExclusionReason.UnitOmitted => "its systemd unit has ManagedOOMPreference=omit (user.oomd_omit): never touched",
        ExclusionReason.PodSandbox => "a Kubernetes pod's sandbox (pause) process: never killed alone",
        ExclusionReason.ProtectUnevaluated =>
            "a protect rule could not be evaluated (its command line, executable, cgroup or user was unreadable): treated as protected",
        ExclusionReason.IgnoreUnevaluated =>
            "an ignore rule could not be evaluated (its command line, executable, cgroup or user was unreadable): not chosen, but it may die with a wider kill scope",
        _ => "unknown reason " + ((int)reason).ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>A short stable token for machine output (JSON, logs).</summary>
    public static string Token(this ExclusionReason reason) => reason switch
    {
        ExclusionReason.None => "none",
        ExclusionReason.Init => "init",
        ExclusionReason.KernelThread => "kernel-thread",
        ExclusionReason.Self => "self",
        ExclusionReason.NoMemory => "no-mm",
        ExclusionReason.OomScoreAdjMin => "oom-score-adj-min",
        ExclusionReason.Protected => "protected",
        ExclusionReason.Ignored => "ignored",
        ExclusionReason.UnitOmitted => "unit-omitted",
        ExclusionReason.PodSandbox => "pod-sandbox",
        ExclusionReason.ProtectUnevaluated => "protect-unevaluated",
        ExclusionReason.IgnoreUnevaluated => "ignore-unevaluated",
        _ => "unknown",
    };
}
