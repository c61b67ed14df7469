namespace Reapd.Core.Cgroups;

/// <summary>
/// A pod's quality-of-service class as the kubelet lays it out in the cgroup tree, in the order the kubelet's eviction
/// (and reapd) gives up pods under memory pressure: best effort first, guaranteed last.
/// </summary>
public enum KubeQosClass : byte
{
    /// <summary>No request and no limit: under kubepods/besteffort (kubepods-besteffort.slice).</summary>
    BestEffort,

    /// <summary>Some request below its limit: under kubepods/burstable (kubepods-burstable.slice).</summary>
    Burstable,

    /// <summary>Requests equal to limits: directly under kubepods (kubepods.slice).</summary>
    Guaranteed,
}
