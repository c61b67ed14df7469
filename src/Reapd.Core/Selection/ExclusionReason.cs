namespace Reapd.Core.Selection;

/// <summary>Why a process is never chosen as a victim (DESIGN.md, Selector). None = a candidate.</summary>
public enum ExclusionReason : byte
{
    None = 0,
    /// <summary>PID 1: killing init takes the machine (or the container) down.</summary>
    Init,
    /// <summary>A kernel thread (PF_KTHREAD): no user memory, cannot be killed.</summary>
    KernelThread,
    /// <summary>reapd itself.</summary>
    Self,
    /// <summary>Zombie or exiting: it no longer holds an mm, so killing it frees nothing.</summary>
    NoMemory,
    /// <summary>oom_score_adj -1000: the owner asked that it never be killed (OOM_SCORE_ADJ_MIN).</summary>
    OomScoreAdjMin,
    /// <summary>Its name is in the configured protected set, or a protect rule matched it.</summary>
    Protected,
    /// <summary>An ignore rule matched it: never chosen, but it may die with a wider kill scope.</summary>
    Ignored,
    /// <summary>Its systemd unit says ManagedOOMPreference=omit (user.oomd_omit on a root-owned cgroup): never touched.</summary>
    UnitOmitted,
    /// <summary>A Kubernetes pod's sandbox (pause) process: killing it alone frees nothing and breaks the pod's network.</summary>
    PodSandbox,
    /// <summary>
    /// A protect rule might match it but what the rule looks at could not be read (the command line of a process whose
    /// mm is held or that is mid-exec, an executable link without ptrace access): protection fails closed, so it is
    /// treated as protected until the rule can be evaluated.
    /// </summary>
    ProtectUnevaluated,
    /// <summary>
    /// An ignore rule might match it but what the rule looks at could not be read (or not yet: the command line is read
    /// in a later pass of the scan): it is not chosen until the rule can be evaluated, but, as an ignored process, it
    /// may die with a wider kill scope.
    /// </summary>
    IgnoreUnevaluated,
}
