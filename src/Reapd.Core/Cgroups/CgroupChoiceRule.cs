namespace Reapd.Core.Cgroups;

/// <summary>Which rule ordered the unit cgroups in a cgroup-first choice (said in the choice event and by `reapd ls`).</summary>
public enum CgroupChoiceRule : byte
{
    /// <summary>Highest usage over memory.min/memory.low first (a threshold on memory or swap was crossed).</summary>
    UsageOverProtection,

    /// <summary>Highest memory.pressure some avg10 first, then usage over protection (the trigger was PSI).</summary>
    Pressure,
}
