namespace Reapd.Linux.Kill;

/// <summary>How the search for processes sharing the victim's mm ended.</summary>
public enum SharerSearchOutcome
{
    /// <summary>Every process was checked (sharers found or not).</summary>
    Completed,
    /// <summary>kcmp(2) is missing (ENOSYS: CONFIG_KCMP off): sharers cannot be confirmed, none is killed.</summary>
    KcmpUnavailable,
    /// <summary>kcmp(2) was refused (EPERM: CAP_SYS_PTRACE missing) for at least one process with the same memory size.</summary>
    KcmpNotPermitted,
    /// <summary>The victim itself is gone (or its pidfd no longer reaches a live thread group, so a kcmp on its number proves nothing).</summary>
    VictimGone,
    /// <summary>No thread of the victim holds an mm any more (it passed exit_mm): there is nothing to compare with.</summary>
    VictimHasNoMm,
    /// <summary>
    /// A process sharing the victim's mm is one reapd never kills (PID 1, reapd itself, oom_score_adj -1000, a
    /// protected name: <see cref="Victim.ExcludedSharer"/>). The mm cannot be reaped while it lives, so nothing is
    /// signalled and the victim is to be excluded, as the kernel's oom_badness skips such an mm.
    /// </summary>
    SharerExcluded,
    /// <summary>EMFILE/ENFILE: /proc could not be listed or a pidfd opened; the search is incomplete.</summary>
    OutOfFileDescriptors,
    /// <summary>/proc could not be listed for another reason.</summary>
    Failed,
}
