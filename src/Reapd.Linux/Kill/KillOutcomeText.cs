namespace Reapd.Linux.Kill;

/// <summary>One human sentence for every outcome of the kill protocol, for `reapd kill`, the daemon's log and the docs.</summary>
public static class KillOutcomeText
{
    public static string Describe(this VictimOpenOutcome outcome) => outcome switch
    {
        VictimOpenOutcome.Confirmed => "confirmed: pidfd open, start time matches the sampled one",
        VictimOpenOutcome.Gone => "the process is gone; nothing to kill",
        VictimOpenOutcome.NotAProcess => "the number is a thread id, not a process; nothing signalled",
        VictimOpenOutcome.PidReused => "the pid now belongs to another process (start time differs): refused, nothing signalled",
        VictimOpenOutcome.RefusedInit => "PID 1 (init) is never killed: refused, nothing signalled",
        VictimOpenOutcome.RefusedKernelThread => "a kernel thread cannot be killed: refused, nothing signalled",
        VictimOpenOutcome.RefusedSelf => "reapd does not kill itself: refused, nothing signalled",
        VictimOpenOutcome.NotPermitted => "not permitted to read the process's /proc files; nothing signalled",
        VictimOpenOutcome.NotSupported => "this kernel has no pidfd_open (needs Linux 5.3): reapd cannot kill without PID-reuse races",
        VictimOpenOutcome.Failed => "could not open a pidfd (out of file descriptors?); nothing signalled",
        _ => Unknown(outcome),
    };

    public static string Describe(this PidFdOpenOutcome outcome) => outcome switch
    {
        PidFdOpenOutcome.Opened => "pidfd opened",
        PidFdOpenOutcome.NoSuchProcess => "no such process (ESRCH)",
        PidFdOpenOutcome.NotAProcess => "a thread id, not a process (ENOENT/EINVAL)",
        PidFdOpenOutcome.OutOfFileDescriptors => "out of file descriptors (EMFILE/ENFILE)",
        PidFdOpenOutcome.NotSupported => "pidfd_open is not supported by this kernel (ENOSYS, needs 5.3)",
        PidFdOpenOutcome.Failed => "pidfd_open failed",
        _ => Unknown(outcome),
    };

    public static string Describe(this SignalOutcome outcome) => outcome switch
    {
        SignalOutcome.Sent => "sent through the pidfd",
        SignalOutcome.AlreadyReaped => "the process was already reaped (ESRCH); the pidfd kept the signal from reaching anyone else",
        SignalOutcome.NotPermitted => "not permitted (EPERM): reapd lacks CAP_KILL for this process",
        SignalOutcome.NotSupported => "pidfd_send_signal is not supported by this kernel (ENOSYS, needs 5.1)",
        SignalOutcome.Failed => "pidfd_send_signal failed",
        SignalOutcome.NoLongerShares => "not sent: right before the signal it no longer shared the victim's mm (it exec'd, or the victim has no mm left to compare with)",
        _ => Unknown(outcome),
    };

    public static string Describe(this ReapOutcome outcome) => outcome switch
    {
        ReapOutcome.Reaped => "process_mrelease returned 0: the victim's private memory was freed by reapd",
        ReapOutcome.AlreadyExiting => "process_mrelease returned ESRCH: the victim already passed exit_mm and frees its memory itself (or its exit is stuck in __mmput, out of userspace's reach)",
        ReapOutcome.NotDyingOrShared => "process_mrelease returned EINVAL: a live process still shares the victim's mm, or a core dump is in progress",
        ReapOutcome.NotSupported => "process_mrelease is not supported by this kernel (ENOSYS, needs 5.15): memory comes back when the victim exits",
        ReapOutcome.Busy => "process_mrelease returned EAGAIN on every attempt: a mapping has blockable mmu notifiers",
        ReapOutcome.Interrupted => "process_mrelease returned EINTR on every attempt: reapd itself got a fatal signal",
        ReapOutcome.BadHandle => "process_mrelease returned EBADF: not a pidfd (a reapd bug)",
        ReapOutcome.NotAttempted => "not attempted",
        ReapOutcome.Failed => "process_mrelease failed",
        ReapOutcome.CoreDumping => "process_mrelease returned EINVAL and the victim is dumping core (CoreDumping: 1): no sharer search; its memory comes back when the aborted dump ends and it exits",
        ReapOutcome.Stopped => "stopped between two process_mrelease attempts (reapd is stopping)",
        _ => Unknown(outcome),
    };

    public static string Describe(this SharerSearchOutcome outcome) => outcome switch
    {
        SharerSearchOutcome.Completed => "every candidate was checked",
        SharerSearchOutcome.KcmpUnavailable => "kcmp is unavailable (ENOSYS): sharers cannot be confirmed, none is killed",
        SharerSearchOutcome.KcmpNotPermitted => "kcmp was refused (EPERM) for some processes",
        SharerSearchOutcome.VictimGone => "the victim is gone",
        SharerSearchOutcome.VictimHasNoMm => "the victim holds no mm any more: nothing to compare with",
        SharerSearchOutcome.SharerExcluded => "a process sharing its memory is one reapd never kills: the memory cannot be reaped, nothing signalled",
        SharerSearchOutcome.OutOfFileDescriptors => "out of file descriptors (EMFILE/ENFILE): the search is incomplete",
        SharerSearchOutcome.Failed => "/proc could not be listed",
        _ => Unknown(outcome),
    };

    // The outcome's name as its enum spells it, from a constant. Enum.ToString allocates, and reads the enum's names from
    // the executable's reflection metadata, whose cache a collection can drop: the first kill after reapd's unlocked
    // pages were reclaimed took a major fault there (docs/reliability.md).

    /// <summary>The name of the outcome as the enum spells it, allocation-free.</summary>
    public static string Name(this ReapOutcome outcome) => outcome switch
    {
        ReapOutcome.Reaped => nameof(ReapOutcome.Reaped),
        ReapOutcome.AlreadyExiting => nameof(ReapOutcome.AlreadyExiting),
        ReapOutcome.NotDyingOrShared => nameof(ReapOutcome.NotDyingOrShared),
        ReapOutcome.NotSupported => nameof(ReapOutcome.NotSupported),
        ReapOutcome.Busy => nameof(ReapOutcome.Busy),
        ReapOutcome.Interrupted => nameof(ReapOutcome.Interrupted),
        ReapOutcome.BadHandle => nameof(ReapOutcome.BadHandle),
        ReapOutcome.NotAttempted => nameof(ReapOutcome.NotAttempted),
        ReapOutcome.Failed => nameof(ReapOutcome.Failed),
        ReapOutcome.CoreDumping => nameof(ReapOutcome.CoreDumping),
        ReapOutcome.Stopped => nameof(ReapOutcome.Stopped),
        _ => "Unknown",
    };

    /// <summary>The name of the outcome as the enum spells it, allocation-free.</summary>
    public static string Name(this SignalOutcome outcome) => outcome switch
    {
        SignalOutcome.Sent => nameof(SignalOutcome.Sent),
        SignalOutcome.AlreadyReaped => nameof(SignalOutcome.AlreadyReaped),
        SignalOutcome.NotPermitted => nameof(SignalOutcome.NotPermitted),
        SignalOutcome.NotSupported => nameof(SignalOutcome.NotSupported),
        SignalOutcome.Failed => nameof(SignalOutcome.Failed),
        SignalOutcome.NoLongerShares => nameof(SignalOutcome.NoLongerShares),
        _ => "Unknown",
    };

    /// <summary>The name of the outcome as the enum spells it, allocation-free.</summary>
    public static string Name(this VictimOpenOutcome outcome) => outcome switch
    {
        VictimOpenOutcome.Confirmed => nameof(VictimOpenOutcome.Confirmed),
        VictimOpenOutcome.Gone => nameof(VictimOpenOutcome.Gone),
        VictimOpenOutcome.NotAProcess => nameof(VictimOpenOutcome.NotAProcess),
        VictimOpenOutcome.PidReused => nameof(VictimOpenOutcome.PidReused),
        VictimOpenOutcome.RefusedInit => nameof(VictimOpenOutcome.RefusedInit),
        VictimOpenOutcome.RefusedKernelThread => nameof(VictimOpenOutcome.RefusedKernelThread),
        VictimOpenOutcome.RefusedSelf => nameof(VictimOpenOutcome.RefusedSelf),
        VictimOpenOutcome.NotPermitted => nameof(VictimOpenOutcome.NotPermitted),
        VictimOpenOutcome.NotSupported => nameof(VictimOpenOutcome.NotSupported),
        VictimOpenOutcome.Failed => nameof(VictimOpenOutcome.Failed),
        _ => "Unknown",
    };

    /// <summary>The name of the outcome as the enum spells it, allocation-free.</summary>
    public static string Name(this SharerSearchOutcome outcome) => outcome switch
    {
        SharerSearchOutcome.Completed => nameof(SharerSearchOutcome.Completed),
        SharerSearchOutcome.KcmpUnavailable => nameof(SharerSearchOutcome.KcmpUnavailable),
        SharerSearchOutcome.KcmpNotPermitted => nameof(SharerSearchOutcome.KcmpNotPermitted),
        SharerSearchOutcome.VictimGone => nameof(SharerSearchOutcome.VictimGone),
        SharerSearchOutcome.VictimHasNoMm => nameof(SharerSearchOutcome.VictimHasNoMm),
        SharerSearchOutcome.SharerExcluded => nameof(SharerSearchOutcome.SharerExcluded),
        SharerSearchOutcome.OutOfFileDescriptors => nameof(SharerSearchOutcome.OutOfFileDescriptors),
        SharerSearchOutcome.Failed => nameof(SharerSearchOutcome.Failed),
        _ => "Unknown",
    };

    /// <summary>The name of the outcome as the enum spells it, allocation-free.</summary>
    public static string Name(this Proc.ScanOutcome outcome) => outcome switch
    {
        Proc.ScanOutcome.Complete => nameof(Proc.ScanOutcome.Complete),
        Proc.ScanOutcome.OutOfFileDescriptors => nameof(Proc.ScanOutcome.OutOfFileDescriptors),
        Proc.ScanOutcome.ListUnreadable => nameof(Proc.ScanOutcome.ListUnreadable),
        _ => "Unknown",
    };

    private static string Unknown<T>(T outcome)
        where T : struct, Enum => "unknown outcome " + outcome.ToString();
}
