namespace Reapd.Core.Daemon;

/// <summary>Why the settle gate let a victim go.</summary>
public enum SettleReason
{
    /// <summary>Reaped or gone, and available memory rose by at least half of what the victim held.</summary>
    MemoryBack,
    /// <summary>Reaped or gone, and the low-memory condition is over.</summary>
    ConditionCleared,
    /// <summary>The settle timeout expired first; the victim is excluded from the next choice.</summary>
    Timeout,
    /// <summary>The victim's last mmput is stuck (ESRCH, pidfd not readable, memory not moving): userspace cannot free it; excluded.</summary>
    StuckInMmput,
    /// <summary>Dry run: nothing was signalled, the timeout only paces the log; nobody is excluded.</summary>
    DryRun,
}
