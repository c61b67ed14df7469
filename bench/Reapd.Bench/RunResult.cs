namespace Reapd.Bench;

/// <summary>Everything measured in one run of one scenario with one daemon.</summary>
internal sealed class RunResult
{
    public required string Scenario { get; init; }

    public required string Daemon { get; init; }

    public required int Round { get; init; }

    public string? Skipped { get; set; }

    public string? Error { get; set; }

    /// <summary>Why the run did not happen as designed although nothing failed (its workload never took available
    /// memory below the kill line, and nothing was killed), or null. Such a run is shown with its reason and left out
    /// of every figure.</summary>
    public string? Void { get; set; }

    /// <summary>Neither skipped nor void: the run's figures count.</summary>
    public bool Counted => Skipped is null && Void is null;

    /// <summary>Monotonic time the workload started; every other time is relative to it in the report.</summary>
    public double StartS { get; set; }

    public double EndS { get; set; }

    public long TermLineKiB { get; set; }

    public long KillLineKiB { get; set; }

    public long AvailableAtStartKiB { get; set; }

    /// <summary>First sample below the SIGTERM line, and below the SIGKILL line (NaN: never).</summary>
    public double TermCrossS { get; set; } = double.NaN;

    public double KillCrossS { get; set; } = double.NaN;

    /// <summary>No sample saw the line crossed before the kill: <see cref="KillCrossS"/> is extrapolated.</summary>
    public bool CrossingEstimated { get; set; }

    /// <summary>First SIGTERM the daemon sent to a workload process (NaN: none).</summary>
    public double FirstTermS { get; set; } = double.NaN;

    /// <summary>Every kill of a workload process (or of anything else, by the daemon or the kernel) in the run.</summary>
    public List<KillRecord> Kills { get; } = [];

    /// <summary>Kills of processes outside the workload by the daemon under test (the ballast included).</summary>
    public List<string> OutsiderKills { get; } = [];

    /// <summary>Signals the daemon sent to processes it had started itself (reapd's warm-up kill of its own `sleep`
    /// child, a hook), told apart by the kernel's fork events; not extra kills.</summary>
    public List<string> OwnChildSignals { get; } = [];

    /// <summary>What the daemon said it did, from its own event log (reapd: each signal with the condition of the
    /// trigger behind it, e.g. "SIGKILL 264 hog on thrash"); empty for daemons without one.</summary>
    public List<string> DaemonActions { get; } = [];

    public long KernelOomKills { get; set; }

    public long VmstatOomKillDelta { get; set; }

    /// <summary>Measured allocation rate of the workload from its start to the kill line, MiB/s.</summary>
    public double RampMiBs { get; set; } = double.NaN;

    /// <summary>Time the runner released ballast because nothing of the workload was left to kill (NaN: never).</summary>
    public double SafetyValveS { get; set; } = double.NaN;

    public bool TimedOut { get; set; }

    /// <summary>The swap the run had (swap-thrash scenarios), or null.</summary>
    public string? SwapDescription { get; set; }

    /// <summary>The freeze: PSI memory "full" stall of the machine from the workload's start to the end of the run, ms
    /// (NaN without PSI). <see cref="PsiSomeStallMs"/>: the "some" stall (at least one task waiting on memory).</summary>
    public double PsiFullStallMs { get; set; } = double.NaN;

    public double PsiSomeStallMs { get; set; } = double.NaN;

    public string SignalSource { get; set; } = "";

    public MemorySample[] Samples { get; set; } = [];

    /// <summary>The victim's kill (the first kill of a "victim" or "worker"), or null.</summary>
    public KillRecord? VictimKill => Kills.Where(k => k.Role is "victim" or "worker").OrderBy(k => k.TimeS).FirstOrDefault();

    /// <summary>Threshold (kill line) to the victim's SIGKILL, ms; negative when it came before the line.</summary>
    public double KillLatencyMs => VictimKill is { } k && !double.IsNaN(KillCrossS) ? (k.TimeS - KillCrossS) * 1000 : double.NaN;

    public double MemoryBackMs => VictimKill is { } k ? (k.MemoryBackS - k.TimeS) * 1000 : double.NaN;

    public double FreedMs => VictimKill is { } k ? (k.FreedS - k.TimeS) * 1000 : double.NaN;

    /// <summary>Kills beyond the right ones: bystanders (small hog, pusher), the fork storm's parent and short-lived
    /// children, the FUSE server, outsiders (the ballast included), premature fork-storm kills.</summary>
    public int ExtraKills =>
        Kills.Count(k => k.Role is "bystander" or "parent" or "server" or "churn" || (k.Role == "worker" && k.Premature) || k.Role.Length == 0)
        + OutsiderKills.Count;

    public int VictimKills => Kills.Count(k => k.Role is "victim" or "worker");
}
