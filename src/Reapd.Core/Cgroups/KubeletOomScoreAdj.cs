namespace Reapd.Core.Cgroups;

/// <summary>
/// The oom_score_adj the kubelet gives a container (pkg/kubelet/qos/policy.go, GetContainerOOMScoreAdjust, checked
/// in the Kubernetes source of 1.3x): best effort 1000; guaranteed (and node-critical pods) -997; burstable
/// 1000 - 1000·request/capacity in integer arithmetic, raised to 3 (1000 + the guaranteed value) and lowered to 999
/// when it would equal the best-effort 1000. Capacity is the node's memory capacity (MemTotal). The memory request is
/// written nowhere in the cgroup files by default, so reapd reads it back from the container's oom_score_adj with
/// <see cref="EstimateRequestBytes"/>.
/// </summary>
public static class KubeletOomScoreAdj
{
    public const int BestEffort = 1000;
    public const int Guaranteed = -997;
    public const int BurstableMin = 1000 + Guaranteed;
    public const int BurstableMax = BestEffort - 1;

    /// <summary>The kubelet's formula for a burstable container (the inverse's test oracle, and the guest's tree).</summary>
    public static int ForBurstable(long requestBytes, long capacityBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(capacityBytes);
        long adj = 1000 - (1000 * requestBytes / capacityBytes);
        if (adj < BurstableMin)
        {
            return BurstableMin;
        }
        return adj == BestEffort ? BurstableMax : (int)adj;
    }

    /// <summary>
    /// The memory request of a burstable container whose processes have <paramref name="oomScoreAdj"/>: the middle of
    /// the interval of requests the formula maps to that value. The integer division loses up to capacity/1000 (about
    /// 16 MiB on a 16 GiB node); 999 means "below 0.2 % of capacity" (the estimate is capacity/1000), 3 means "at least
    /// 99.7 %". Null when the value is outside the burstable range (not set by the kubelet as burstable).
    /// </summary>
    public static long? EstimateRequestBytes(int oomScoreAdj, long capacityBytes)
    {
        if (oomScoreAdj < BurstableMin || oomScoreAdj > BurstableMax || capacityBytes <= 0)
        {
            return null;
        }
        // adj = 1000 - floor(1000·r/c)  ⇔  floor(1000·r/c) = 1000 - adj  ⇔  r ∈ [(1000-adj)·c/1000, (1001-adj)·c/1000).
        long share = 1000 - oomScoreAdj;
        if (oomScoreAdj == BurstableMax)
        {
            // 999 is both floor = 1 and the lowered 1000 (floor = 0): r ∈ [0, 2·c/1000).
            return capacityBytes / 1000;
        }
        long low = share * (capacityBytes / 1000);
        return low + capacityBytes / 2000;
    }
}
