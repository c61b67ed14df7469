using Reapd.Core.Proc;
using Reapd.Core.Selection;
using Reapd.Testing;

namespace Reapd.Core.Tests.Selection;

public sealed class RankingTests
{
    private const int PageKiB = 4;
    private static readonly int[] s_fixturePids =
    [
        ProcFixtures.Init, ProcFixtures.KernelThread, ProcFixtures.NameWithParenAndSpace, ProcFixtures.NameWithParens,
        ProcFixtures.NameWithNewline, ProcFixtures.OomScoreAdjMin, ProcFixtures.Zombie, ProcFixtures.Hog,
    ];

    [Fact]
    public void Badness_reproduces_the_kernels_oom_score_for_a_300_MiB_process_at_adj_500()
    {
        // docs/kernel.md C.8: a 300 MiB process at adj 500 showed oom_score 1008 with totalpages = RAM (24 GiB, no swap).
        long totalPages = 24683620 / PageKiB;
        long badness = Badness.Pages(300 * 1024, 1500, 0, 0, 700, 500, totalPages, PageKiB);
        long oomScore = (1000 + badness * 1000 / totalPages) * 2 / 3;
        Assert.Equal(1008, oomScore);
    }

    [Fact]
    public void Badness_is_rss_plus_swap_plus_page_tables_in_pages_plus_the_scaled_adj()
    {
        long badness = Badness.Pages(4000, 400, 40, 800, 16, 0, 1_000_000, PageKiB);
        Assert.Equal((4000 + 400 + 40 + 800 + 16) / 4, badness);
        // adj * (totalpages / 1000), integer division first as in mm/oom_kill.c.
        Assert.Equal(badness + 1000 * 1000, Badness.Pages(4000, 400, 40, 800, 16, 1000, 1_000_999, PageKiB));
        Assert.Equal(badness - 500 * 1000, Badness.Pages(4000, 400, 40, 800, 16, -500, 1_000_000, PageKiB));
    }

    [Fact]
    public void Every_fixture_process_gets_its_exclusion_reason()
    {
        Candidate[] ranked = RankFixtures(selfPid: ProcFixtures.NameWithParens, new ProtectedNames(["a) b"]));
        Assert.Equal(ExclusionReason.Init, Find(ranked, ProcFixtures.Init).Exclusion);
        Assert.Equal(ExclusionReason.KernelThread, Find(ranked, ProcFixtures.KernelThread).Exclusion);
        Assert.Equal(ExclusionReason.Self, Find(ranked, ProcFixtures.NameWithParens).Exclusion);
        Assert.Equal(ExclusionReason.NoMemory, Find(ranked, ProcFixtures.Zombie).Exclusion);
        Assert.Equal(ExclusionReason.OomScoreAdjMin, Find(ranked, ProcFixtures.OomScoreAdjMin).Exclusion);
        Assert.Equal(ExclusionReason.Protected, Find(ranked, ProcFixtures.NameWithParenAndSpace).Exclusion);
        Assert.Equal(ExclusionReason.None, Find(ranked, ProcFixtures.Hog).Exclusion);
        Assert.Equal(ExclusionReason.None, Find(ranked, ProcFixtures.NameWithNewline).Exclusion);
    }

    [Fact]
    public void Candidates_come_first_highest_badness_first_then_the_excluded()
    {
        Candidate[] ranked = RankFixtures(selfPid: 999_999, ProtectedNames.Empty);
        Assert.Equal(ProcFixtures.Hog, ranked[0].Pid);
        Assert.Equal(0, CandidateRanking.IndexOfBest(ranked));
        int candidates = CandidateRanking.CountCandidates(ranked);
        Assert.Equal(4, candidates); // the hog and the three renamed sleepers
        for (int i = 1; i < candidates; i++)
        {
            Assert.True(ranked[i - 1].BadnessPages >= ranked[i].BadnessPages);
        }
        for (int i = candidates; i < ranked.Length; i++)
        {
            Assert.False(ranked[i].IsCandidate);
        }
        Assert.Equal(ExclusionReason.Init, ranked[candidates].Exclusion);
    }

    [Fact]
    public void The_hog_at_adj_1000_scores_its_memory_plus_the_whole_scope()
    {
        Candidate[] ranked = RankFixtures(selfPid: 999_999, ProtectedNames.Empty);
        Candidate hog = Find(ranked, ProcFixtures.Hog);
        long totalPages = 24683620 / PageKiB;
        Assert.Equal((65640 + 1520 + 0 + 0 + 172) / PageKiB + 1000 * (totalPages / 1000), hog.BadnessPages);
        Assert.Equal("hog", hog.Name.ToString());
        Assert.Equal(1000, hog.OomScoreAdj);
    }

    [Fact]
    public void Sorting_candidates_and_excluded_processes_allocates_nothing()
    {
        Candidate[] ranked = RankFixtures(selfPid: ProcFixtures.NameWithParens, new ProtectedNames(["a) b"]));
        Array.Reverse(ranked);
        CandidateRanking.Sort(ranked);
        Array.Reverse(ranked);
        long allocated = ThreadAllocation.Measure(() => CandidateRanking.Sort(ranked));
        Assert.Equal(0, allocated);
        Assert.Equal(ProcFixtures.Hog, ranked[0].Pid);
    }

    [Fact]
    public void A_protected_name_longer_than_a_comm_matches_the_truncated_comm()
    {
        var names = new ProtectedNames(["a-very-long-daemon-name"]);
        Assert.True(names.Contains("a-very-long-dae"u8));
        Assert.False(names.Contains("a-very-long-da"u8));
    }

    [Fact]
    public void No_candidate_means_no_best_index()
    {
        Candidate[] ranked = RankFixtures(selfPid: 999_999, new ProtectedNames(["hog", "a) b", "a)))b", "x\ny"]));
        Assert.Equal(-1, CandidateRanking.IndexOfBest(ranked));
        Assert.Equal(0, CandidateRanking.CountCandidates(ranked));
    }

    [Fact]
    public void Every_reason_has_a_description_and_a_token()
    {
        foreach (ExclusionReason reason in Enum.GetValues<ExclusionReason>())
        {
            Assert.DoesNotContain("unknown", reason.Describe());
            Assert.NotEqual("unknown", reason.Token());
        }
    }

    [Fact]
    public void A_ranking_left_in_listing_order_hands_on_only_candidates()
    {
        // A scan cut short in its first pass: /proc's order, pid 1 and a kernel thread first, then an oom_score_adj
        // -1000 daemon. Three candidates follow; the first three entries are none of them.
        Candidate[] listed =
        [
            Entry(1, ExclusionReason.Init, 900),
            Entry(2, ExclusionReason.KernelThread, 0),
            Entry(300, ExclusionReason.OomScoreAdjMin, 5000),
            Entry(400, ExclusionReason.None, 10),
            Entry(500, ExclusionReason.None, 20),
            Entry(600, ExclusionReason.None, 5),
        ];
        Assert.Equal(3, CandidateRanking.CountCandidates(listed));
        Assert.False(listed[..3].All(c => c.IsCandidate)); // what taking the prefix by count would have handed on

        int candidates = CandidateRanking.CandidatesFirst(listed);

        Assert.Equal(3, candidates);
        Assert.Equal([500, 400, 600], listed[..candidates].Select(c => c.Pid));
        Assert.All(listed[candidates..], c => Assert.False(c.IsCandidate));
    }

    [Fact]
    public void A_ranking_already_candidates_first_is_left_in_its_order()
    {
        // The cgroup-first choice orders candidates by unit, not by badness: that order must survive.
        Candidate[] ordered =
        [
            Entry(400, ExclusionReason.None, 10),
            Entry(500, ExclusionReason.None, 20),
            Entry(300, ExclusionReason.OomScoreAdjMin, 5000),
            Entry(1, ExclusionReason.Init, 900),
        ];
        Assert.Equal(2, CandidateRanking.CandidatesFirst(ordered));
        Assert.Equal([400, 500, 300, 1], ordered.Select(c => c.Pid));
    }

    private static Candidate Entry(int pid, ExclusionReason exclusion, long badnessPages) => new()
    {
        Pid = pid,
        Exclusion = exclusion,
        BadnessPages = badnessPages,
        BaseBadnessPages = badnessPages,
    };

    private static Candidate Find(Candidate[] ranked, int pid) => Array.Find(ranked, c => c.Pid == pid);

    private static Candidate[] RankFixtures(int selfPid, ProtectedNames names)
    {
        Assert.True(MemInfoParser.TryParse(ProcFixtures.Read("meminfo"), out MemInfo memInfo));
        var scope = RankingScope.ForSystem(memInfo, PageKiB, selfPid, names);
        var ranked = new Candidate[s_fixturePids.Length];
        for (int i = 0; i < s_fixturePids.Length; i++)
        {
            int pid = s_fixturePids[i];
            Assert.True(ProcStatParser.TryParse(ProcFixtures.Read(pid, "stat"), out ProcStat stat));
            Assert.True(ProcStatusParser.TryParse(ProcFixtures.Read(pid, "status"), out ProcStatus status));
            Assert.True(OomScoreAdjParser.TryParse(ProcFixtures.Read(pid, "oom_score_adj"), out int adj));
            CandidateClassifier.Fill(ref ranked[i], stat, status, adj, scope);
        }
        CandidateRanking.Sort(ranked);
        return ranked;
    }
}
