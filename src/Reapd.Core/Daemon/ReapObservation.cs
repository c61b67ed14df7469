namespace Reapd.Core.Daemon;

/// <summary>What process_mrelease answered for the victim, as far as the settle gate cares (docs/kernel.md B.6, C.3).</summary>
public enum ReapObservation
{
    /// <summary>Not tried (dry run, or the signal itself failed).</summary>
    NotAttempted,
    /// <summary>0: the anonymous memory is freed now, even if the process still exists.</summary>
    Released,
    /// <summary>ESRCH: no thread holds the mm any more. Normally the victim is exiting on its own; if its pidfd stays unreadable and memory does not move, it is stuck in __mmput (docs/kernel.md D.4).</summary>
    NoMm,
    /// <summary>EINVAL: not dying, shared mm with a live process, or a core dump in progress.</summary>
    Refused,
    /// <summary>ENOSYS: kernel before 5.15; only the victim's own exit frees the memory.</summary>
    Unsupported,
    /// <summary>EINVAL while /proc/PID/status says CoreDumping: the dump ends in the exit; no sharer search.</summary>
    CoreDumping,
    /// <summary>Any other failure (EAGAIN after the retries, EINTR, EPERM).</summary>
    Failed,
    /// <summary>
    /// 0, but a second call at once answered ESRCH: the victim's exit had already detached its mm, so what that exit
    /// unmapped beside the reap may still wait in its mmu_gather (docs/kernel.md C.9). Its exit, or a short wait, settles it.
    /// </summary>
    ReleasedExitPending,
}
