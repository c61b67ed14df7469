namespace Reapd.Core.Decision;

/// <summary>The event lines the core decides on (the actuator writes signal and reap outcomes itself).</summary>
public enum ReportKind
{
    /// <summary>A threshold was crossed and something will be done (choose, or escalate).</summary>
    Trigger,
    /// <summary>A victim was chosen from the ranking.</summary>
    Choice,
    /// <summary>A victim was needed but nobody in the ranking is eligible.</summary>
    NoCandidate,
    /// <summary>The SIGTERMed victim is passed over at the kill level: its SIGTERM is not followed up.</summary>
    Retarget,
    /// <summary>The reap has not answered for <see cref="Daemon.DaemonConfig.ReapSlowReportMs"/>: the reaper thread is stuck in the kernel.</summary>
    ReapSlow,
    /// <summary>The victim's exit is stuck in __mmput: userspace cannot free its memory.</summary>
    Stuck,
    /// <summary>The victim settled: the gate is open again.</summary>
    Settled,
}
