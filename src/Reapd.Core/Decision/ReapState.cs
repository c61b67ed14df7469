namespace Reapd.Core.Decision;

/// <summary>Where the victim's reap is, as the core sees it.</summary>
public enum ReapState : byte
{
    /// <summary>Not asked for (no SIGKILL yet, or a dry run).</summary>
    None,
    /// <summary>Handed to the reaper thread; no answer yet.</summary>
    InFlight,
    /// <summary>0: the anonymous memory is freed, even if the process still exists.</summary>
    Released,
    /// <summary>ESRCH: no thread holds the mm any more — exiting normally, or stuck in __mmput.</summary>
    NoMm,
    /// <summary>EINVAL after the exhaustive sharer search, ENOSYS, EAGAIN after the retries, a busy reaper: only the exit frees it.</summary>
    NotReaped,
    /// <summary>EINVAL because a core dump is in progress: the dump ends in the exit; wait for it.</summary>
    CoreDumping,
    /// <summary>
    /// 0 while the victim's exit was tearing its mm down beside the reap: released, and what that exit holds comes back
    /// with it; wait for the exit, at most the short wait of a shmem-heavy victim.
    /// </summary>
    ReleasedExitPending,
}
