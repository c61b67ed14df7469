namespace Reapd.Model.Daemon;

/// <summary>The production decision core and actuator, or one small deliberate deviation from them.</summary>
public enum DaemonVariant
{
    Production,
    /// <summary>The gate settles on ESRCH (read as a reap that returned 0) and on a readable victim pidfd (sharers ignored).</summary>
    BrokenSettleGate,
    /// <summary>The start time is checked before pidfd_open, not after.</summary>
    BrokenPidCheck,
    /// <summary>Sharers found by the search are SIGKILLed without the kcmp re-check right before the signal.</summary>
    NoSharerRecheck,
    /// <summary>No settle timeout and no stuck verdict: the gate waits for the victim's memory, however long.</summary>
    NoSettleTimeout,
    /// <summary>The loop answers a SIGKILL once per process it signalled (each sharer, then the victim), not once per command.</summary>
    AnswerPerProcess,
}
