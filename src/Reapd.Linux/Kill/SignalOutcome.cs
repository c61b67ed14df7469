namespace Reapd.Linux.Kill;

/// <summary>How pidfd_send_signal(2) ended (kernel.md C.2).</summary>
public enum SignalOutcome
{
    /// <summary>Delivered (to a live process or a zombie).</summary>
    Sent,
    /// <summary>ESRCH: the process has been reaped already; the pidfd kept the signal from reaching anyone else.</summary>
    AlreadyReaped,
    /// <summary>EPERM: reapd may not signal it (CAP_KILL missing).</summary>
    NotPermitted,
    /// <summary>ENOSYS: the kernel predates pidfd_send_signal (5.1).</summary>
    NotSupported,
    /// <summary>Any other errno (EBADF, EINVAL: a reapd bug).</summary>
    Failed,
    /// <summary>
    /// Not sent (sharers only): right before its SIGKILL the process no longer shared the victim's mm (a vfork child
    /// that exec'd, or one that can no longer be compared because the victim holds no mm any more).
    /// </summary>
    NoLongerShares,
}
