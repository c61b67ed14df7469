namespace Reapd.Linux.Kill;

/// <summary>How opening a victim ended: the pidfd is opened first, then the identity is confirmed (docs/kernel.md C.1).</summary>
public enum VictimOpenOutcome
{
    /// <summary>The pidfd is open and the start time matches the sampled one: this is the process that was chosen.</summary>
    Confirmed,
    /// <summary>The process is gone (no pidfd could be opened, or /proc/PID vanished while checking).</summary>
    Gone,
    /// <summary>The number is a thread id, not a process (pidfd_open ENOENT/EINVAL).</summary>
    NotAProcess,
    /// <summary>The start time differs: the pid now belongs to another process. Nothing is signalled.</summary>
    PidReused,
    /// <summary>PID 1: refused.</summary>
    RefusedInit,
    /// <summary>A kernel thread: refused.</summary>
    RefusedKernelThread,
    /// <summary>reapd itself: refused.</summary>
    RefusedSelf,
    /// <summary>/proc/PID/stat could not be read for lack of permission.</summary>
    NotPermitted,
    /// <summary>pidfd_open is missing (kernel before 5.3): reapd cannot kill safely.</summary>
    NotSupported,
    /// <summary>Out of file descriptors, or another unexpected error.</summary>
    Failed,
}
