using Reapd.Core.Proc;

namespace Reapd.Core.Selection;

/// <summary>
/// What the badness is relative to: totalpages (RAM + swap for the system, the limit for a cgroup, as the kernel's
/// oom_badness uses them) and the page size, plus who is asking (reapd's own pid) and the protected names.
/// </summary>
public readonly struct RankingScope
{
    public RankingScope(long totalPages, int pageSizeKiB, int selfPid, ProtectedNames? protectedNames = null)
    {
        if (totalPages < 0 || pageSizeKiB <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(totalPages), "totalPages must be >= 0 and pageSizeKiB > 0");
        }
        TotalPages = totalPages;
        PageSizeKiB = pageSizeKiB;
        SelfPid = selfPid;
        ProtectedNames = protectedNames ?? ProtectedNames.Empty;
    }

    public long TotalPages { get; }
    public int PageSizeKiB { get; }
    public int SelfPid { get; }
    public ProtectedNames ProtectedNames { get; }

    /// <summary>System scope: totalpages = MemTotal + SwapTotal (mm/oom_kill.c constrained_alloc, CONSTRAINT_NONE).</summary>
    public static RankingScope ForSystem(in MemInfo memInfo, int pageSizeKiB, int selfPid, ProtectedNames? protectedNames = null) =>
        new((memInfo.MemTotalKiB + memInfo.SwapTotalKiB) / pageSizeKiB, pageSizeKiB, selfPid, protectedNames);

    /// <summary>cgroup scope: totalpages = the memory limit (mem_cgroup_get_max), in pages.</summary>
    public static RankingScope ForCgroupLimit(long limitBytes, int pageSizeKiB, int selfPid, ProtectedNames? protectedNames = null) =>
        new(limitBytes / 1024 / pageSizeKiB, pageSizeKiB, selfPid, protectedNames);
}
