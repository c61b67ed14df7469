using Reapd.Core.Policy;
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
    public static void Fill(ref Candidate candidate, in ProcStat stat, in ProcStatus status, int oomScoreAdj, in RankingScope scope) =>
        Fill(ref candidate, stat, status, oomScoreAdj, scope, new ProcessFacts { Comm = stat.Name.Utf8, Uid = status.RealUid, HasUid = true });

    /// <summary>
    /// As above, then the scope's rules (docs/rules.md) on a process nothing else excludes: prefer and avoid move its
    /// badness, protect and ignore exclude it, and the rules that touched it are recorded. <paramref name="facts"/>
    /// holds what the rules need (the scanner reads only that: <see cref="RuleSet.Needs"/>).
    /// </summary>
    public static void Fill(ref Candidate candidate, in ProcStat stat, in ProcStatus status, int oomScoreAdj, in RankingScope scope,
        scoped in ProcessFacts facts)
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
        candidate.BaseBadnessPages = Badness.Pages(status, oomScoreAdj, scope.TotalPages, scope.PageSizeKiB);
        candidate.BadnessPages = candidate.BaseBadnessPages;
        candidate.Rules = default;
        candidate.RulesPending = false;
        candidate.Exclusion = Classify(stat, status.HasMm, oomScoreAdj, scope);
        RuleSet rules = scope.Rules;
        if (candidate.Exclusion == ExclusionReason.None && !rules.IsEmpty)
        {
            candidate.BadnessPages = rules.Apply(facts, candidate.BaseBadnessPages, scope.TotalPages, ref candidate.Rules,
                out candidate.Exclusion, out candidate.RulesPending);
        }
    }
}
