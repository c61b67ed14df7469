using Reapd.Core.Proc;

namespace Reapd.Core.Selection;

/// <summary>
/// The kernel's oom_badness() (mm/oom_kill.c, 6.x), from /proc/PID/status instead of the mm counters:
/// points = rss (anon + file + shmem) + swap entries + page-table pages, then + oom_score_adj * (totalpages / 1000),
/// all in pages. This reproduced /proc/PID/oom_score exactly on the test machine (docs/kernel.md C.8).
/// totalpages is RAM + swap for the whole system and the memcg limit for a cgroup OOM.
/// </summary>
public static class Badness
{
    public static long Pages(long rssAnonKiB, long rssFileKiB, long rssShmemKiB, long swapKiB, long pageTablesKiB,
        int oomScoreAdj, long totalPages, int pageSizeKiB)
    {
        if (pageSizeKiB <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(pageSizeKiB), pageSizeKiB, "page size must be positive");
        }
        long points = (rssAnonKiB + rssFileKiB + rssShmemKiB + swapKiB + pageTablesKiB) / pageSizeKiB;
        // The kernel scales adj by totalpages/1000 with integer division first (adj *= totalpages / 1000).
        long adjPoints = oomScoreAdj * (totalPages / 1000);
        return points + adjPoints;
    }

    public static long Pages(in ProcStatus status, int oomScoreAdj, long totalPages, int pageSizeKiB) =>
        Pages(status.RssAnonKiB, status.RssFileKiB, status.RssShmemKiB, status.VmSwapKiB, status.VmPteKiB,
            oomScoreAdj, totalPages, pageSizeKiB);
}
