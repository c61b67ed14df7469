using System.Text;
using Reapd.Core.Policy;
using Reapd.Core.Proc;
using Reapd.Core.Selection;

namespace Reapd.Core.Tests.Policy;

/// <summary>
/// Rules on a process whose command line, executable, cgroup or user could not be read (its mm is held, it is mid-exec,
/// no ptrace access): a protect rule fails closed, every other rule just does not apply (docs/rules.md).
/// </summary>
public sealed class UnreadableInputRuleTests
{
    private const long TotalPages = 1_000_000;

    private static PolicyRule Rule(RuleAction action, RuleMatch match, string name = "r") =>
        new(name, action, match, new SourcePosition("test.toml", 3, 1));

    private static long Apply(RuleSet rules, Facts facts, out ExclusionReason excluded, out bool undecided)
    {
        RuleHits hits = default;
        return rules.Apply(facts.View(Encoding.UTF8.GetBytes(facts.Comm)), 100, TotalPages, ref hits, out excluded, out undecided);
    }

    public static TheoryData<string, RuleMatch, Facts> UnreadableForAProtectRule => new()
    {
        { "cmdline unreadable", new RuleMatch { Cmdline = "^/usr/sbin/sshd" }, new Facts("sshd") },
        { "cmdline_not unreadable", new RuleMatch { Comm = "systemd", CmdlineNot = "--user" }, new Facts("systemd") },
        { "exe unreadable", new RuleMatch { Exe = "/usr/lib/postgresql/**" }, new Facts("postgres") },
        { "cgroup unreadable", new RuleMatch { Cgroup = "/system.slice/*.service" }, new Facts("x") },
        { "uid unreadable", new RuleMatch { User = "0" }, new Facts("x") },
    };

    [Theory]
    [MemberData(nameof(UnreadableForAProtectRule))]
    public void A_protect_rule_whose_input_cannot_be_read_fails_closed(string what, RuleMatch match, Facts facts)
    {
        RuleSet rules = RuleSet.Compile([Rule(RuleAction.Protect, match)]);
        Apply(rules, facts, out ExclusionReason excluded, out bool undecided);
        Assert.True(ExclusionReason.ProtectUnevaluated == excluded, what);
        Assert.True(undecided, what);
        Assert.Equal("protect-unevaluated", excluded.Token());
    }

    [Fact]
    public void A_protect_rule_that_a_readable_criterion_already_refuses_does_not_protect_an_unreadable_process()
    {
        // The comm decides: an unreadable command line does not make every process immune to a rule about sshd.
        RuleSet rules = RuleSet.Compile([Rule(RuleAction.Protect, new RuleMatch { Comm = "sshd", Cmdline = "-D" })]);
        Apply(rules, new Facts("hog"), out ExclusionReason excluded, out bool undecided);
        Assert.Equal(ExclusionReason.None, excluded);
        Assert.False(undecided);
    }

    [Fact]
    public void Prefer_and_avoid_rules_on_an_unreadable_input_do_not_apply()
    {
        RuleSet rules = RuleSet.Compile([
            Rule(RuleAction.Prefer, new RuleMatch { Cmdline = "a" }, "prefer"),
            Rule(RuleAction.Avoid, new RuleMatch { Exe = "/bin/a" }, "avoid"),
        ]);
        long badness = Apply(rules, new Facts("a"), out ExclusionReason excluded, out bool undecided);
        Assert.Equal(100, badness);
        Assert.Equal(ExclusionReason.None, excluded);
        // Reading the command line later could still change the outcome.
        Assert.True(undecided);
    }

    [Fact]
    public void An_ignore_rule_on_an_unreadable_input_keeps_the_process_from_being_chosen()
    {
        // docs/rules.md: ignore means never chosen. A scan that stops at its deadline before the command line is read
        // must not leave the process choosable.
        RuleSet rules = RuleSet.Compile([
            Rule(RuleAction.Prefer, new RuleMatch { Cmdline = "a" }, "prefer"),
            Rule(RuleAction.Ignore, new RuleMatch { Cmdline = "a" }, "ignore"),
        ]);
        long badness = Apply(rules, new Facts("a"), out ExclusionReason excluded, out bool undecided);
        Assert.Equal(100, badness);
        Assert.Equal(ExclusionReason.IgnoreUnevaluated, excluded);
        Assert.Equal("ignore-unevaluated", excluded.Token());
        Assert.True(undecided);
        // Read, and not matching: a candidate again.
        Apply(rules, new Facts("a", "b"), out excluded, out undecided);
        Assert.Equal(ExclusionReason.None, excluded);
        Assert.False(undecided);
    }

    [Fact]
    public void An_unevaluated_ignore_still_lets_a_wider_kill_scope_take_the_process()
    {
        RuleSet rules = RuleSet.Compile([Rule(RuleAction.Ignore, new RuleMatch { Cmdline = "a" }, "ignore")]);
        var scope = new RankingScope(TotalPages, 4, selfPid: 1).WithRules(rules);
        var stat = new ProcStat { Pid = 4242, Name = new ProcessName("a"u8), State = (byte)'S' };
        var status = new ProcStatus { Tgid = 4242, RssAnonKiB = 4096, HasMm = true };
        Candidate candidate = default;
        CandidateClassifier.Fill(ref candidate, stat, status, 0, scope, new Facts("a").View("a"u8.ToArray()));
        Assert.False(candidate.IsCandidate);
        Assert.Equal(ExclusionReason.IgnoreUnevaluated, candidate.Exclusion);
        Assert.True(candidate.RulesPending);
    }

    [Fact]
    public void A_matching_protect_rule_leaves_nothing_undecided()
    {
        // The desktop defaults' shape: a command-line prefer first, then a protect by comm. The protect decides; a
        // command line read later could change nothing, so the scan must not read it again.
        RuleSet rules = RuleSet.Compile([
            Rule(RuleAction.Prefer, new RuleMatch { Cmdline = "--type=renderer" }, "prefer"),
            Rule(RuleAction.Ignore, new RuleMatch { Cmdline = "x" }, "ignore"),
            Rule(RuleAction.Protect, new RuleMatch { Comm = "a" }, "protect"),
        ]);
        Apply(rules, new Facts("a"), out ExclusionReason excluded, out bool undecided);
        Assert.Equal(ExclusionReason.Protected, excluded);
        Assert.False(undecided);
    }

    [Fact]
    public void An_ignored_process_is_not_undecided_for_a_prefer_avoid_or_ignore_it_could_not_evaluate()
    {
        RuleSet rules = RuleSet.Compile([
            Rule(RuleAction.Prefer, new RuleMatch { Cmdline = "x" }, "prefer"),
            Rule(RuleAction.Ignore, new RuleMatch { Cmdline = "y" }, "ignore by cmdline"),
            Rule(RuleAction.Ignore, new RuleMatch { Comm = "a" }, "ignore by comm"),
        ]);
        Apply(rules, new Facts("a"), out ExclusionReason excluded, out bool undecided);
        Assert.Equal(ExclusionReason.Ignored, excluded);
        Assert.False(undecided);
    }

    [Fact]
    public void A_protect_rule_that_does_match_still_protects_after_an_undecided_one()
    {
        RuleSet rules = RuleSet.Compile([
            Rule(RuleAction.Protect, new RuleMatch { Cmdline = "x" }, "undecided"),
            Rule(RuleAction.Protect, new RuleMatch { Comm = "a" }, "matching"),
        ]);
        Apply(rules, new Facts("a"), out ExclusionReason excluded, out _);
        Assert.Equal(ExclusionReason.Protected, excluded);
    }

    [Fact]
    public void An_undecided_protect_rule_overrides_an_earlier_ignore()
    {
        // Ignored may die with a wider kill scope; a process a protect rule might cover must not.
        RuleSet rules = RuleSet.Compile([
            Rule(RuleAction.Ignore, new RuleMatch { Comm = "a" }, "ignore"),
            Rule(RuleAction.Protect, new RuleMatch { Comm = "a", Cmdline = "--keep" }, "protect"),
        ]);
        Apply(rules, new Facts("a"), out ExclusionReason excluded, out _);
        Assert.Equal(ExclusionReason.ProtectUnevaluated, excluded);
        Apply(rules, new Facts("a", "a --other"), out excluded, out bool undecided);
        Assert.Equal(ExclusionReason.Ignored, excluded);
        Assert.False(undecided);
    }

    [Fact]
    public void A_process_with_a_protect_rule_undecided_is_no_candidate_of_the_ranking()
    {
        RuleSet rules = RuleSet.Compile([Rule(RuleAction.Protect, new RuleMatch { Cmdline = "db" })]);
        var scope = new RankingScope(TotalPages, 4, selfPid: 1).WithRules(rules);
        var stat = new ProcStat { Pid = 4242, Name = new ProcessName("db"u8), State = (byte)'S' };
        var status = new ProcStatus { Tgid = 4242, RssAnonKiB = 4096, HasMm = true };
        Candidate candidate = default;
        CandidateClassifier.Fill(ref candidate, stat, status, 0, scope, new Facts("db").View("db"u8.ToArray()));
        Assert.False(candidate.IsCandidate);
        Assert.Equal(ExclusionReason.ProtectUnevaluated, candidate.Exclusion);
        Assert.True(candidate.RulesPending);
    }
}
