namespace Reapd.Core.Decision;

/// <summary>How a Signal command ended, as far as the decision cares.</summary>
public enum SignalResult
{
    /// <summary>Delivered through the pidfd (SIGKILL: to the victim and every current sharer).</summary>
    Sent,
    /// <summary>Dry run: nothing was sent; the core carries on as if it had been.</summary>
    DryRun,
    /// <summary>The process had exited before the signal (ESRCH on open, or already reaped): nothing to do for it.</summary>
    Gone,
    /// <summary>The PID now belongs to another process (start time differs): nothing was signalled.</summary>
    PidReused,
    /// <summary>
    /// A process sharing the victim's mm must not be killed (PID 1, oom_score_adj -1000, protected, reapd): the
    /// victim could not be reaped, so it is excluded and another is chosen, as the kernel does. Nothing was signalled.
    /// </summary>
    SharerExcluded,
    /// <summary>Refused or failed (not permitted, a kernel thread, pidfds unsupported…): excluded, nothing was signalled.</summary>
    Failed,
}
