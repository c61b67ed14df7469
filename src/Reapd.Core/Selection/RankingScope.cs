using Reapd.Core.Policy;
using Reapd.Core.Proc;

namespace Reapd.Core.Selection;

/// <summary>
/// What the badness is relative to: totalpages (RAM + swap for the system, the limit for a cgroup, as the kernel's
/// oom_badness uses them) and the page size, plus who is asking (reapd's own pid), the protected names and the
/// compiled rules (docs/rules.md).
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
        Rules = RuleSet.Empty;
    }

    private RankingScope(in RankingScope scope, RuleSet rules)
    {
        TotalPages = scope.TotalPages;
        PageSizeKiB = scope.PageSizeKiB;
        SelfPid = scope.SelfPid;
        ProtectedNames = scope.ProtectedNames;
        Rules = rules;
    }

    public long TotalPages { get; }
    public int PageSizeKiB { get; }
    public int SelfPid { get; }
    public ProtectedNames ProtectedNames { get; }

    /// <summary>The rules every process is evaluated against (empty: the kernel's order alone).</summary>
    public RuleSet Rules => field ?? RuleSet.Empty;

    /// <summary>This scope with <paramref name="rules"/> applied to every process it ranks.</summary>
    public RankingScope WithRules(RuleSet rules) => new(this, rules);

    /// <summary>System scope: totalpages = MemTotal + SwapTotal (mm/oom_kill.c constrained_alloc, CONSTRAINT_NONE).</summary>
    public static RankingScope ForSystem(in MemInfo memInfo, int pageSizeKiB, int selfPid, ProtectedNames? protectedNames = null) =>
        new((memInfo.MemTotalKiB + memInfo.SwapTotalKiB) / pageSizeKiB, pageSizeKiB, selfPid, protectedNames);

    /// <summary>cgroup scope: totalpages = the memory limit (mem_cgroup_get_max), in pages.</summary>
    public static RankingScope ForCgroupLimit(long limitBytes, int pageSizeKiB, int selfPid, ProtectedNames? protectedNames = null) =>
        new(limitBytes / 1024 / pageSizeKiB, pageSizeKiB, selfPid, protectedNames);
}
