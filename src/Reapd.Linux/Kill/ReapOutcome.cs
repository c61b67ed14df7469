namespace Reapd.Linux.Kill;

/// <summary>How process_mrelease(2) ended, after bounded retries (kernel.md C.3, B.6, D.1).</summary>
public enum ReapOutcome
{
    /// <summary>0: the victim's private memory was freed while the call ran (or was already marked reaped).</summary>
    Reaped,
    /// <summary>
    /// ESRCH: no thread of the victim holds its mm any more: it already passed exit_mm and is freeing its memory
    /// itself (wait for the pidfd), or is a zombie or reaped. If the pidfd then stays unreadable, the exit is stuck in
    /// __mmput (exit_aio, kernel.md D.4), which userspace cannot reap.
    /// </summary>
    AlreadyExiting,
    /// <summary>
    /// EINVAL: the kernel does not see the victim as dying: a live process still shares its mm (CLONE_VM, vfork), or a
    /// core dump is in progress, or it was never killed.
    /// </summary>
    NotDyingOrShared,
    /// <summary>ENOSYS: the kernel predates process_mrelease (5.15): only waiting on the pidfd is left.</summary>
    NotSupported,
    /// <summary>EAGAIN on every attempt: some mapping has blockable mmu notifiers (KVM, GPU drivers).</summary>
    Busy,
    /// <summary>EINTR on every attempt: reapd itself received a fatal signal.</summary>
    Interrupted,
    /// <summary>EBADF: the fd is not a pidfd (a reapd bug).</summary>
    BadHandle,
    /// <summary>Not attempted: the caller chose not to reap (reapd kill --no-reap) or SIGKILL was not sent.</summary>
    NotAttempted,
    /// <summary>Any other errno.</summary>
    Failed,
    /// <summary>
    /// EINVAL while the victim's status says "CoreDumping: 1": the kernel refuses to reap during a core dump
    /// (task_will_free_mem). No sharer search follows; the caller waits for the exit (SIGKILL aborts the dump).
    /// </summary>
    CoreDumping,
    /// <summary>The caller asked <see cref="Reaper.Run"/> to stop between two attempts.</summary>
    Stopped,
}
