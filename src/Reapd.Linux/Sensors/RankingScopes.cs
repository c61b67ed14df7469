using Reapd.Core.Daemon;
using Reapd.Core.Proc;
using Reapd.Core.Selection;

namespace Reapd.Linux.Sensors;

/// <summary>
/// The one place that says what badness is relative to, for `reapd ls` and `reapd run` alike, so both rank exactly the
/// same way: this machine's page size, and totalpages as the kernel's oom_badness takes it (mm/oom_kill.c
/// constrained_alloc): the memory limit for a cgroup scope; MemTotal + SwapTotal for the system scope.
/// </summary>
public static class RankingScopes
{
    /// <summary>The page size in KiB (4 on x86_64; 16 or 64 on some arm64 kernels).</summary>
    public static int PageSizeKiB { get; } = Math.Max(1, Environment.SystemPageSize / 1024);

    /// <summary>
    /// The ranking scope for a cgroup target (totalpages = <paramref name="sample"/>'s TotalBytes, the limit its sensor
    /// reads) or, when <paramref name="cgroup"/> is null, for the system (totalpages from <paramref name="memInfo"/>;
    /// when that could not be read, from the sample's total and swap, which hold the same figures). Allocation-free.
    /// </summary>
    public static RankingScope For(CgroupTarget? cgroup, in MemorySample sample, in MemInfo? memInfo, int selfPid, ProtectedNames protectedNames)
    {
        if (cgroup is not null)
        {
            return RankingScope.ForCgroupLimit(sample.TotalBytes, PageSizeKiB, selfPid, protectedNames);
        }
        return memInfo is MemInfo info
            ? RankingScope.ForSystem(info, PageSizeKiB, selfPid, protectedNames)
            : RankingScope.ForCgroupLimit(sample.TotalBytes + sample.SwapTotalBytes, PageSizeKiB, selfPid, protectedNames);
    }
}
