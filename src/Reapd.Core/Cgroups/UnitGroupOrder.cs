namespace Reapd.Core.Cgroups;

/// <summary>
/// The cgroup-first order of unit cgroups: which unit gives up a process first. Units with no candidate are left out
/// by the caller; omitted units (user.oomd_omit) never reach the order. Then:
/// 1. Avoided units (user.oomd_avoid) after all others.
/// 2. With Kubernetes ranking on: best-effort pods, then burstable pods (largest usage over request first), then the
///    node's other units, then guaranteed pods — the kubelet's eviction order by QoS class.
/// 3. Units holding at least the significant amount over their protection before those that do not: a unit a few MiB
///    over its protection (journald, timesyncd) frees next to nothing, and choosing it first only adds a kill.
/// 4. Among the significant ones, by the rule: highest pressure (PSI trigger) or highest usage over protection; among
///    the others, by usage, as if there were no protection (when every unit is under its memory.low, the kernel
///    reclaims protected memory too). Ties by usage, then path.
/// </summary>
public static class UnitGroupOrder
{
    /// <summary>Sorts <paramref name="groups"/> in place, first to give up a process first. Allocates a comparison (a choice, not the quiet cycle).</summary>
    /// <param name="significantBytes">
    /// How much a unit must hold over its protection to be chosen for it (CgroupFirstChooser: 1/64 of the scope's memory).
    /// </param>
    public static void Sort(List<UnitGroup> groups, CgroupChoiceRule rule, bool kubernetes, long significantBytes = 0) =>
        groups.Sort((x, y) => Compare(x, y, rule, kubernetes, significantBytes));

    public static int Compare(UnitGroup x, UnitGroup y, CgroupChoiceRule rule, bool kubernetes, long significantBytes = 0)
    {
        int byPreference = (x.Preference == OomdPreference.Avoid).CompareTo(y.Preference == OomdPreference.Avoid);
        if (byPreference != 0)
        {
            return byPreference;
        }
        int byTier = Tier(x, kubernetes).CompareTo(Tier(y, kubernetes));
        if (byTier != 0)
        {
            return byTier;
        }
        if (kubernetes && x.Pod is not null && y.Pod is not null)
        {
            int byOverRequest = y.OverRequestBytes.CompareTo(x.OverRequestBytes);
            if (byOverRequest != 0)
            {
                return byOverRequest;
            }
        }
        bool xSignificant = x.OverProtectionBytes >= significantBytes;
        bool ySignificant = y.OverProtectionBytes >= significantBytes;
        if (xSignificant != ySignificant)
        {
            return xSignificant ? -1 : 1;
        }
        // Two units below the floor go by usage alone (the tie-break below), as if there were no protection.
        if (xSignificant)
        {
            if (rule == CgroupChoiceRule.Pressure)
            {
                int byPressure = y.PressureSomeAvg10.CompareTo(x.PressureSomeAvg10);
                if (byPressure != 0)
                {
                    return byPressure;
                }
            }
            int byOver = y.OverProtectionBytes.CompareTo(x.OverProtectionBytes);
            if (byOver != 0)
            {
                return byOver;
            }
        }
        int byUsage = y.UsageBytes.CompareTo(x.UsageBytes);
        return byUsage != 0 ? byUsage : string.CompareOrdinal(x.Path, y.Path);
    }

    /// <summary>
    /// Best-effort pods, then burstable pods, then the node's other units, then guaranteed pods (what the node is for);
    /// without Kubernetes ranking every unit is in one tier.
    /// </summary>
    private static int Tier(UnitGroup group, bool kubernetes) => !kubernetes || group.Pod is not KubePodPath pod ? 2 : pod.QosClass switch
    {
        KubeQosClass.BestEffort => 0,
        KubeQosClass.Burstable => 1,
        _ => 3,
    };
}
