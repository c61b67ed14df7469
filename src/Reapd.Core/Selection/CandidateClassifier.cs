using Reapd.Core.Proc;

namespace Reapd.Core.Selection;

/// <summary>
/// Fills one <see cref="Candidate"/> from the parsed /proc files and decides whether it may be chosen. Pure: the
/// scanner in Reapd.Linux reads the files, this decides. The order of the checks fixes which reason is shown when
/// several apply (init before kernel thread before self ...).
/// </summary>
public static class CandidateClassifier
{
    public static ExclusionReason Classify(in ProcStat stat, bool hasMm, int oomScoreAdj, in RankingScope scope)
    {
        if (stat.Pid == 1)
        {
            return ExclusionReason.Init;
        }
        if (stat.IsKernelThread)
        {
            return ExclusionReason.KernelThread;
        }
        if (stat.Pid == scope.SelfPid)
        {
            return ExclusionReason.Self;
        }
        // By the mm, as the kernel ranks (find_lock_task_mm): a zombie leader whose other threads still hold the
        // memory is a candidate (hasMm comes from a live thread then); a zombie or exiting process without one is not.
        if (!hasMm)
        {
            return ExclusionReason.NoMemory;
        }
        if (oomScoreAdj <= OomScoreAdjParser.Min)
        {
            return ExclusionReason.OomScoreAdjMin;
        }
        if (scope.ProtectedNames.Contains(stat.Name.Utf8))
        {
            return ExclusionReason.Protected;
        }
        return ExclusionReason.None;
    }

    /// <summary>
    /// The record for one process. <paramref name="status"/> is the status of the thread that holds the mm (the
    /// leader's, or a live thread's when the leader has exited, ProcessReader.TryReadMemoryStatus); it may lack the
    /// memory lines (HasMm false: zombie, exiting, kernel thread): the figures are then zero and the process is excluded.
    /// </summary>
    public static void Fill(ref Candidate candidate, in ProcStat stat, in ProcStatus status, int oomScoreAdj, in RankingScope scope)
    {
        candidate.Pid = stat.Pid;
        candidate.StartTimeTicks = stat.StartTimeTicks;
        candidate.Name = stat.Name;
        candidate.State = stat.State;
        candidate.Threads = stat.NumThreads;
        candidate.VsizeBytes = stat.VsizeBytes;
        candidate.RssAnonKiB = status.RssAnonKiB;
        candidate.RssFileKiB = status.RssFileKiB;
        candidate.RssShmemKiB = status.RssShmemKiB;
        candidate.SwapKiB = status.VmSwapKiB;
        candidate.PageTablesKiB = status.VmPteKiB;
        candidate.OomScoreAdj = oomScoreAdj;
        candidate.BadnessPages = Badness.Pages(status, oomScoreAdj, scope.TotalPages, scope.PageSizeKiB);
        candidate.Exclusion = Classify(stat, status.HasMm, oomScoreAdj, scope);
    }
}
