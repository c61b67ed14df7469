namespace Reapd.Core.Selection;

/// <summary>
/// Orders scan results in place, allocation-free: candidates first, highest badness first (ties: larger RSS, then
/// lower pid, so the order is stable between runs); then the excluded ones, by reason and pid.
/// </summary>
public static class CandidateRanking
{
    // A cached delegate: Span.Sort with an IComparer would allocate a Comparison per call (ArraySortHelper).
    private static readonly Comparison<Candidate> s_order = Compare;

    public static void Sort(Span<Candidate> candidates) => candidates.Sort(s_order);

    /// <summary>
    /// Runs <see cref="Sort"/> on more than 16 entries once: the runtime's sort partitions only above 16 keys (insertion
    /// sort below), so a scope that is small at start would first run that code in an emergency grown past 16
    /// processes, after the memory lock (docs/reliability.md, "The whole machine at MemAvailable near zero"). Start-up
    /// only: allocates.
    /// </summary>
    public static void WarmUpSort() => Sort(new Candidate[64]);

    /// <summary>Index of the best candidate, or -1 when none may be chosen. Works on an unsorted span.</summary>
    public static int IndexOfBest(ReadOnlySpan<Candidate> candidates)
    {
        int best = -1;
        for (int i = 0; i < candidates.Length; i++)
        {
            if (candidates[i].IsCandidate && (best < 0 || Compare(candidates[i], candidates[best]) < 0))
            {
                best = i;
            }
        }
        return best;
    }

    /// <summary>
    /// Makes sure every candidate comes before every excluded entry — sorting the span only when one does not — and
    /// returns how many candidates there are: the prefix a caller may hand on as choosable. A ranking cut short (a scan
    /// stopped at its deadline or by a lack of file descriptors) may come in /proc's listing order, where taking the
    /// first CountCandidates entries would take excluded ones (pid 1, an oom_score_adj -1000 daemon). Allocation-free.
    /// </summary>
    public static int CandidatesFirst(Span<Candidate> ranked)
    {
        int count = 0;
        bool excludedSeen = false;
        bool ordered = true;
        foreach (ref readonly Candidate candidate in ranked)
        {
            if (candidate.IsCandidate)
            {
                count++;
                ordered &= !excludedSeen;
            }
            else
            {
                excludedSeen = true;
            }
        }
        if (!ordered)
        {
            Sort(ranked);
        }
        return count;
    }

    public static int CountCandidates(ReadOnlySpan<Candidate> candidates)
    {
        int count = 0;
        foreach (ref readonly Candidate candidate in candidates)
        {
            if (candidate.IsCandidate)
            {
                count++;
            }
        }
        return count;
    }

    /// <summary>The ranking order: negative when x ranks before y.</summary>
    public static int Compare(Candidate x, Candidate y)
    {
        if (x.IsCandidate != y.IsCandidate)
        {
            return x.IsCandidate ? -1 : 1;
        }
        if (!x.IsCandidate)
        {
            int byReason = ((byte)x.Exclusion).CompareTo((byte)y.Exclusion); // not Enum.CompareTo(object): it boxes
            return byReason != 0 ? byReason : x.Pid.CompareTo(y.Pid);
        }
        int byBadness = y.BadnessPages.CompareTo(x.BadnessPages);
        if (byBadness != 0)
        {
            return byBadness;
        }
        int byRss = y.RssKiB.CompareTo(x.RssKiB);
        return byRss != 0 ? byRss : x.Pid.CompareTo(y.Pid);
    }
}
