using System.Text;
using CsCheck;
using Reapd.Core.Policy;
using Reapd.Core.Proc;
using Reapd.Core.Selection;

namespace Reapd.Core.Tests.Policy;

/// <summary>
/// Random rule sets against random process tables: whatever the rules say, a process that a protect rule matches, or
/// that is PID 1, a kernel thread, reapd itself or at oom_score_adj -1000, is never a candidate and never chosen, and an
/// ignored one is never chosen. Which rule matches is decided here by an independent reference (string equality,
/// substring, uid equality), not by the rule engine.
/// </summary>
public sealed class RulePropertyTests
{
    public const int Iterations = 5_000;

    private const int SelfPid = 4242;
    private const long TotalPages = 2_000_000;

    private static readonly string[] s_comms = ["chrome", "Xorg", "java", "bash", "Web Content", "sshd", "a) b", "x"];
    private static readonly string[] s_words = ["--type=renderer", "-jar", "--user", "serve", "a.b", "(x)"];
    private static readonly string[] s_cgroups = ["/", "/user.slice", "/system.slice/cron.service", "/kubepods/pod1"];

    private sealed record Proc(int Pid, string Comm, string Cmdline, string Cgroup, uint Uid, int Adj, bool KernelThread, long RssKiB);

    private sealed record Criteria(string? Comm, string? Word, string? Cgroup, uint? Uid)
    {
        public bool IsEmpty => Comm is null && Word is null && Cgroup is null && Uid is null;

        public bool Reference(Proc p) =>
            (Comm is null || Comm == p.Comm) && (Word is null || p.Cmdline.Contains(Word, StringComparison.Ordinal))
            && (Cgroup is null || Cgroup == p.Cgroup) && (Uid is null || Uid == p.Uid);
    }

    private static readonly Gen<Criteria> s_criteria =
        Gen.Select(Gen.OneOf(s_comms).Null(), Gen.OneOf(s_words).Null(), Gen.OneOf(s_cgroups).Null(),
                Gen.OneOf<uint>(0, 1000, 1001).Nullable(),
                (comm, word, cgroup, uid) => new Criteria(comm, word, cgroup, uid))
            .Where(c => !c.IsEmpty);

    private static readonly Gen<(RuleAction Action, Criteria Match, int? Adjust, double? Scale)> s_rule =
        Gen.Select(Gen.Enum<RuleAction>(), s_criteria, Gen.Int[0, 1000].Nullable(), Gen.Double[0.01, 100].Nullable())
            .Select((action, match, adjust, scale) => (action, match,
                action switch { RuleAction.Prefer => adjust, RuleAction.Avoid => -adjust, _ => (int?)null },
                action switch { RuleAction.Prefer => scale is double s ? 1 + s : null, RuleAction.Avoid => scale is double s ? 1 / (1 + s) : null, _ => (double?)null }));

    private static readonly Gen<Proc> s_process =
        Gen.Select(Gen.Int[1, 20], Gen.OneOf(s_comms), Gen.OneOf(s_words).Array[0, 3], Gen.OneOf(s_cgroups),
                Gen.OneOf<uint>(0, 1000, 1001), Gen.OneOf(-1000, -500, 0, 0, 300, 1000), Gen.Int[0, 20], Gen.Long[0, 8_000_000])
            .Select((pid, comm, words, cgroup, uid, adj, kthread, rss) =>
                new Proc(pid == 20 ? SelfPid : pid, comm, "/usr/bin/" + comm + " " + string.Join(' ', words), cgroup, uid, adj, kthread == 0, rss));

    [Fact]
    public void A_protected_or_never_eligible_process_is_never_a_candidate_nor_chosen_under_random_rules()
    {
        int cases = 0, protectedSeen = 0, ignoredSeen = 0, movedSeen = 0;
        Gen.Select(s_rule.Array[0, 12], s_process.Array[1, 40]).Sample((rules, generated) =>
        {
            // Unique pids, so each record can be found again after the sort; PID 1 and reapd's own stay as drawn.
            Proc[] processes = [.. generated.Select((p, i) => p.Pid is 1 or SelfPid && !generated.Take(i).Any(q => q.Pid == p.Pid) ? p : p with { Pid = 100 + i })];
            // CsCheck runs the cases on several threads: the counters are shared.
            Interlocked.Increment(ref cases);
            PolicyRule[] policy = [.. rules.Select((r, i) => new PolicyRule("rule " + i, r.Action,
                new RuleMatch
                {
                    Comm = r.Match.Comm,
                    Cmdline = r.Match.Word is null ? null : System.Text.RegularExpressions.Regex.Escape(r.Match.Word),
                    Cgroup = r.Match.Cgroup,
                    User = r.Match.Uid?.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    Uid = r.Match.Uid,
                }, SourcePosition.BuiltIn) { Adjust = r.Adjust, Scale = r.Scale })];
            RankingScope scope = new RankingScope(TotalPages, 4, SelfPid).WithRules(RuleSet.Compile(policy));
            var candidates = new Candidate[processes.Length];
            for (int i = 0; i < processes.Length; i++)
            {
                Fill(ref candidates[i], processes[i], scope);
            }
            int best = CandidateRanking.IndexOfBest(candidates);
            CandidateRanking.Sort(candidates);
            for (int i = 0; i < processes.Length; i++)
            {
                Proc p = processes[i];
                Candidate c = Array.Find(candidates, x => x.Pid == p.Pid);
                Assert.True(c.Name.Equals(Encoding.UTF8.GetBytes(p.Comm)));
                bool neverEligible = p.Pid is 1 or SelfPid || p.KernelThread || p.Adj == -1000;
                bool protectedByRule = rules.Any(r => r.Action == RuleAction.Protect && r.Match.Reference(p));
                bool ignoredByRule = rules.Any(r => r.Action == RuleAction.Ignore && r.Match.Reference(p));
                if (neverEligible || protectedByRule || ignoredByRule)
                {
                    Assert.False(c.IsCandidate, $"pid {p.Pid} {p.Comm} is a candidate");
                }
                if (protectedByRule && !neverEligible)
                {
                    Assert.Equal(ExclusionReason.Protected, c.Exclusion);
                    Interlocked.Increment(ref protectedSeen);
                }
                else if (ignoredByRule && !neverEligible)
                {
                    Assert.Equal(ExclusionReason.Ignored, c.Exclusion);
                    Interlocked.Increment(ref ignoredSeen);
                }
                else if (!neverEligible)
                {
                    Assert.True(c.IsCandidate, $"pid {p.Pid} {p.Comm} ({p.Cmdline}) excluded as {c.Exclusion}");
                    if (c.BadnessPages != c.BaseBadnessPages)
                    {
                        Interlocked.Increment(ref movedSeen);
                    }
                }
            }
            if (best >= 0)
            {
                Assert.True(candidates[0].IsCandidate);
            }
            else
            {
                Assert.Equal(0, CandidateRanking.CountCandidates(candidates));
            }
            // The sorted order's first is the same process IndexOfBest found on the unsorted table.
            int sortedBest = CandidateRanking.IndexOfBest(candidates);
            Assert.Equal(best >= 0 ? 0 : -1, sortedBest);
        }, iter: Iterations);
        Assert.Equal(Iterations, cases);
        // Not vacuous: the random tables held many processes that rules protected, ignored and moved.
        Assert.True(protectedSeen > Iterations / 5 && ignoredSeen > Iterations / 5 && movedSeen > Iterations / 5,
            $"protected {protectedSeen}, ignored {ignoredSeen}, moved {movedSeen}");
    }

    private static void Fill(ref Candidate candidate, Proc p, in RankingScope scope)
    {
        // stat as the kernel prints it, through the real parser: pid (comm) state ppid ... flags (field 9) ... vsize (23).
        uint flags = p.KernelThread ? 0x00200000u : 0u; // PF_KTHREAD
        string statText = $"{p.Pid} ({p.Comm}) S 1 1 1 0 -1 {flags} 0 0 0 0 0 0 0 0 20 0 1 0 {100 + p.Pid} {(p.KernelThread ? 0 : 1 << 24)} 100 18446744073709551615 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0";
        Assert.True(ProcStatParser.TryParse(Encoding.UTF8.GetBytes(statText), out ProcStat stat), statText);
        Assert.True(stat.IsKernelThread == p.KernelThread, statText + " flags " + stat.Flags);
        var status = new ProcStatus { HasMm = !p.KernelThread, Tgid = p.Pid, RssAnonKiB = p.KernelThread ? 0 : p.RssKiB, RealUid = p.Uid };
        byte[] comm = Encoding.UTF8.GetBytes(p.Comm);
        var facts = new ProcessFacts { Comm = comm, Cmdline = p.Cmdline, HasCmdline = true, Cgroup = p.Cgroup, HasCgroup = true, Uid = p.Uid, HasUid = true };
        CandidateClassifier.Fill(ref candidate, stat, status, p.Adj, scope, facts);
    }
}
