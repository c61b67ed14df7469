namespace Reapd.Core.Cgroups;

/// <summary>
/// One unit-level cgroup (<see cref="UnitCgroups.UnitOf"/>) with the figures the cgroup-first choice orders by, read
/// once per choice: usage and protection (cgroup v2 memory.current, memory.min, memory.low), the memory pressure of the
/// last 10 s, systemd's per-unit preference, and for a Kubernetes pod its QoS class and the request read back from its
/// containers (memory.min when MemoryQoS set it, else the kubelet's oom_score_adj inverted).
/// </summary>
public sealed class UnitGroup
{
    public UnitGroup(string path) => Path = path;

    /// <summary>The cgroup path as /proc/PID/cgroup names it.</summary>
    public string Path { get; }

    public long UsageBytes { get; set; }

    public long MinBytes { get; set; }

    public long LowBytes { get; set; }

    /// <summary>memory.pressure "some avg10", in percent; 0 when unreadable.</summary>
    public double PressureSomeAvg10 { get; set; }

    public OomdPreference Preference { get; set; }

    /// <summary>Set when the unit is a Kubernetes pod.</summary>
    public KubePodPath? Pod { get; set; }

    /// <summary>The pod's memory request (sum over its containers), when it could be read back; null otherwise.</summary>
    public long? RequestBytes { get; set; }

    /// <summary>How the request was found: "memory.min", "oom_score_adj" or null.</summary>
    public string? RequestSource { get; set; }

    /// <summary>Candidates (processes that may be chosen) in this unit.</summary>
    public int Candidates { get; set; }

    /// <summary>
    /// What the kernel protects from reclaim: the larger of memory.min and memory.low (the configured values; the
    /// effective protection can be less when the parent's is smaller, which the files do not show).
    /// </summary>
    public long ProtectionBytes => Math.Max(MinBytes, LowBytes);

    /// <summary>Usage over protection, as systemd-oomd and oomd rank cgroups; never negative.</summary>
    public long OverProtectionBytes => Math.Max(0, UsageBytes - ProtectionBytes);

    /// <summary>A pod's usage over its request (a best-effort pod's request is 0); usage over protection when no request is known.</summary>
    public long OverRequestBytes => RequestBytes is long request ? Math.Max(0, UsageBytes - request) : OverProtectionBytes;
}
