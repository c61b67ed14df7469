namespace Reapd.Linux.Kill;

/// <summary>How pidfd_open(2) ended (docs/kernel.md C.1).</summary>
public enum PidFdOpenOutcome
{
    Opened,
    /// <summary>ESRCH: no such process (never existed, or already reaped).</summary>
    NoSuchProcess,
    /// <summary>ENOENT (6.18) or EINVAL (6.12 source): the number is a thread of another process, not a process.</summary>
    NotAProcess,
    /// <summary>EMFILE or ENFILE: out of file descriptors.</summary>
    OutOfFileDescriptors,
    /// <summary>ENOSYS: the kernel predates pidfd_open (5.3).</summary>
    NotSupported,
    /// <summary>Any other errno.</summary>
    Failed,
}
