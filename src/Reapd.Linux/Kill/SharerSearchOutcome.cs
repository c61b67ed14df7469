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
    /// <summary>The victim itself is gone.</summary>
    VictimGone,
}
