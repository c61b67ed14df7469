namespace Reapd.Linux.Sensors;

/// <summary>How one <see cref="WakeSet.Wait"/> ended. Only Ready means some slot fired.</summary>
public enum WakeOutcome
{
    /// <summary>At least one fd is ready; <see cref="WakeSet.Fired"/> tells which.</summary>
    Ready,
    /// <summary>The timeout passed with nothing ready.</summary>
    Timeout,
    /// <summary>EINTR: a signal arrived during the wait (the stop handler's, usually); nothing fired.</summary>
    Interrupted,
    /// <summary>
    /// A slot holds a number that is not an open fd (POLLNVAL: it was closed while still in the set, a reapd bug).
    /// poll returns at once every time until the slot is fixed, so a caller that took this for a wake-up would spin;
    /// <see cref="WakeSet.InvalidSlot"/> names the slot.
    /// </summary>
    InvalidFd,
    /// <summary>poll failed (ENOMEM, EINVAL: more fds than RLIMIT_NOFILE); <see cref="WakeSet.LastErrno"/> has the errno.</summary>
    Failed,
}
