namespace Reapd.Core.Decision;

/// <summary>Why a victim settled (docs/daemon.md, "The settle gate").</summary>
public enum SettleCause
{
    /// <summary>process_mrelease returned 0: the kernel freed the victim's anonymous memory.</summary>
    Reaped,
    /// <summary>Reaped, but most of what it held is shmem, which only its exit frees: the exit came (or the short wait for it ended).</summary>
    ReapedShmemExit,
    /// <summary>The victim and every mm sharer exited (pidfds readable): exit_mmap has run.</summary>
    Exited,
    /// <summary>ESRCH, pidfd not readable, memory not moving for the stuck grace: the last mmput is stuck; excluded.</summary>
    StuckInMmput,
    /// <summary>None of the above within the settle timeout; excluded.</summary>
    Timeout,
    /// <summary>Dry run: nothing was signalled; the timeout only paces the log; nobody excluded.</summary>
    DryRun,
}
