namespace Reapd.Core.Decision;

/// <summary>What the decision core asks the actuator to do. The actuator answers through the core's On… inputs.</summary>
public enum CommandKind
{
    /// <summary>Scan and rank the scope's processes now; answer with <see cref="DecisionCore.OnScanned"/>.</summary>
    Scan,
    /// <summary>
    /// Signal the victim (and, for SIGKILL, its mm sharers) through pidfds; a new victim is opened and its identity
    /// confirmed first. Answer with <see cref="DecisionCore.OnSignalled"/>.
    /// </summary>
    Signal,
    /// <summary>SIGKILL the victim's mm sharers that are still alive (the victim itself has exited); no answer.</summary>
    KillSharers,
    /// <summary>Hand the victim to the reaper thread (process_mrelease with retries); answer with <see cref="DecisionCore.OnReapAnswered"/>.</summary>
    Reap,
    /// <summary>The core is done with the victim: close its pidfds, stop polling them.</summary>
    Release,
    /// <summary>A victim settled: the full-stall window starts again, so a stall a kill answered never counts twice.</summary>
    RestartStallWindow,
    /// <summary>Write an event line; <see cref="Command.Report"/> says which and carries the figures.</summary>
    Report,
}
