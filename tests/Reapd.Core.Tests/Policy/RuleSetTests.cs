using System.Text;
using Reapd.Core.Daemon;
using Reapd.Core.Policy;
using Reapd.Core.Selection;
using Reapd.Testing;

namespace Reapd.Core.Tests.Policy;

public sealed class RuleSetTests
{
    private const long TotalPages = 1_000_000; // one oom_score_adj unit = 1000 pages

    private static PolicyRule Rule(RuleAction action, RuleMatch match, string name = "r", int? adjust = null, double? scale = null) =>
        new(name, action, match, new SourcePosition("test.toml", 3, 1)) { Adjust = adjust, Scale = scale };

    private static RuleSet One(RuleMatch match) => RuleSet.Compile([Rule(RuleAction.Prefer, match)]);

    public static TheoryData<string, RuleMatch, Facts, bool> Matching => new()
    {
        { "comm exact", new RuleMatch { Comm = "firefox" }, new Facts("firefox"), true },
        { "comm is not a prefix", new RuleMatch { Comm = "fire" }, new Facts("firefox"), false },
        { "comm is case-sensitive", new RuleMatch { Comm = "Xorg" }, new Facts("xorg"), false },
        { "comm longer than 15 bytes is cut as the kernel cuts it", new RuleMatch { Comm = "Isolated Web Content" }, new Facts("Isolated Web Co"), true },
        { "cmdline regex is searched", new RuleMatch { Cmdline = "--type=(renderer|utility)" }, new Facts("chrome", "/opt/chrome/chrome --type=renderer --lang=en"), true },
        { "cmdline regex anchored", new RuleMatch { Cmdline = "^java .*-jar big\\.jar$" }, new Facts("java", "java -Xmx1g -jar big.jar"), true },
        { "cmdline regex no match", new RuleMatch { Cmdline = "--type=renderer" }, new Facts("chrome", "/opt/chrome/chrome"), false },
        { "cmdline unreadable never matches", new RuleMatch { Cmdline = ".*" }, new Facts("x"), false },
        { "cmdline_not matches without the pattern", new RuleMatch { Comm = "chrome", CmdlineNot = "--type=" }, new Facts("chrome", "/opt/chrome/chrome --restore"), true },
        { "cmdline_not refuses with the pattern", new RuleMatch { Comm = "chrome", CmdlineNot = "--type=" }, new Facts("chrome", "/opt/chrome/chrome --type=gpu-process"), false },
        { "cmdline_not on an unreadable cmdline does not match", new RuleMatch { Comm = "chrome", CmdlineNot = "--type=" }, new Facts("chrome"), false },
        { "exe exact", new RuleMatch { Exe = "/usr/bin/python3.13" }, new Facts("python3", Exe: "/usr/bin/python3.13"), true },
        { "exe exact is not a glob", new RuleMatch { Exe = "/usr/bin/python3" }, new Facts("python3", Exe: "/usr/bin/python3.13"), false },
        { "exe glob star", new RuleMatch { Exe = "/usr/bin/python3*" }, new Facts("python3", Exe: "/usr/bin/python3.13"), true },
        { "exe glob star stays in its component", new RuleMatch { Exe = "/usr/*/python3" }, new Facts("python3", Exe: "/usr/local/bin/python3"), false },
        { "exe glob double star crosses components", new RuleMatch { Exe = "/usr/**/python3" }, new Facts("python3", Exe: "/usr/local/bin/python3"), true },
        { "exe glob double star matches no component too", new RuleMatch { Exe = "/usr/**/python3" }, new Facts("python3", Exe: "/usr/python3"), true },
        { "exe glob question mark", new RuleMatch { Exe = "/bin/?ash" }, new Facts("bash", Exe: "/bin/bash"), true },
        { "exe glob class", new RuleMatch { Exe = "/bin/[bd]ash" }, new Facts("dash", Exe: "/bin/dash"), true },
        { "exe glob negated class", new RuleMatch { Exe = "/bin/[!bd]ash" }, new Facts("dash", Exe: "/bin/dash"), false },
        { "exe unreadable never matches", new RuleMatch { Exe = "/**" }, new Facts("x"), false },
        { "cgroup glob service", new RuleMatch { Cgroup = "/system.slice/*.service" }, new Facts("x", Cgroup: "/system.slice/cron.service"), true },
        { "cgroup glob star stays in its component", new RuleMatch { Cgroup = "/system.slice/*.service" }, new Facts("x", Cgroup: "/system.slice/a.service/sub"), false },
        { "cgroup glob trailing double star covers the group itself", new RuleMatch { Cgroup = "/kubepods.slice/**" }, new Facts("x", Cgroup: "/kubepods.slice"), true },
        { "cgroup glob trailing double star covers below", new RuleMatch { Cgroup = "/kubepods.slice/**" }, new Facts("x", Cgroup: "/kubepods.slice/pod1/c2"), true },
        { "cgroup glob does not match a sibling with the prefix", new RuleMatch { Cgroup = "/kubepods.slice/**" }, new Facts("x", Cgroup: "/kubepods.sliced"), false },
        { "cgroup dots are literal", new RuleMatch { Cgroup = "/a.b" }, new Facts("x", Cgroup: "/axb"), false },
        { "uid from a number", new RuleMatch { User = "1000" }, new Facts("x", Uid: 1000), true },
        { "uid resolved", new RuleMatch { User = "alice", Uid = 1001 }, new Facts("x", Uid: 1001), true },
        { "uid differs", new RuleMatch { User = "1000" }, new Facts("x", Uid: 0), false },
        { "every criterion must match", new RuleMatch { Comm = "x", User = "1000" }, new Facts("x", Uid: 1), false },
        { "every criterion matching", new RuleMatch { Comm = "x", User = "1000", Cgroup = "/u/**" }, new Facts("x", Cgroup: "/u/s", Uid: 1000), true },
    };

    [Theory]
    [MemberData(nameof(Matching))]
    public void A_rule_matches_by_each_criterion_as_documented(string what, RuleMatch match, Facts facts, bool expected)
    {
        Assert.True(expected == facts.Matches(One(match), 0), what);
    }

    [Fact]
    public void Prefer_and_avoid_default_to_plus_and_minus_300_oom_score_adj_units()
    {
        RuleSet rules = RuleSet.Compile([Rule(RuleAction.Prefer, new RuleMatch { Comm = "a" }), Rule(RuleAction.Avoid, new RuleMatch { Comm = "b" })]);
        Assert.Equal(5_000 + 300_000, Apply(rules, new Facts("a"), 5_000, out ExclusionReason a, out _));
        Assert.Equal(5_000 - 300_000, Apply(rules, new Facts("b"), 5_000, out ExclusionReason b, out _));
        Assert.Equal(ExclusionReason.None, a);
        Assert.Equal(ExclusionReason.None, b);
    }

    [Fact]
    public void Adjust_uses_the_kernels_integer_division_of_totalpages()
    {
        RuleSet rules = RuleSet.Compile([Rule(RuleAction.Prefer, new RuleMatch { Comm = "a" }, adjust: 10)]);
        // 1_000_999 / 1000 = 1000 pages per unit, as adj *= totalpages / 1000 in mm/oom_kill.c.
        Assert.Equal(7 + 10_000, Apply(rules, new Facts("a"), 7, out _, out _, totalPages: 1_000_999));
    }

    [Fact]
    public void Scale_applies_before_adjust_and_rules_apply_in_order()
    {
        RuleSet rules = RuleSet.Compile([
            Rule(RuleAction.Prefer, new RuleMatch { Comm = "a" }, "double", scale: 2, adjust: 1),
            Rule(RuleAction.Avoid, new RuleMatch { Comm = "a" }, "half", scale: 0.5),
        ]);
        // (5000 * 2 + 1000) * 0.5 = 5500; the other order would give 5000 * 0.5 * 2 + 1000 = 6000.
        Assert.Equal(5_500, Apply(rules, new Facts("a"), 5_000, out _, out RuleHits hits));
        Assert.Equal(2, hits.Total);
        Assert.Equal(0, hits[0]);
        Assert.Equal(1, hits[1]);
    }

    [Fact]
    public void A_negative_badness_is_divided_by_the_scale_so_prefer_always_ranks_earlier()
    {
        RuleSet rules = RuleSet.Compile([Rule(RuleAction.Prefer, new RuleMatch { Comm = "a" }, scale: 4)]);
        Assert.Equal(-250, Apply(rules, new Facts("a"), -1_000, out _, out _));
        RuleSet avoid = RuleSet.Compile([Rule(RuleAction.Avoid, new RuleMatch { Comm = "a" }, scale: 0.25)]);
        Assert.Equal(-4_000, Apply(avoid, new Facts("a"), -1_000, out _, out _));
    }

    [Fact]
    public void Badness_is_not_clamped_at_zero_like_the_kernel_since_5_9_and_saturates_far_from_overflow()
    {
        RuleSet rules = RuleSet.Compile([Rule(RuleAction.Avoid, new RuleMatch { Comm = "a" }, adjust: -1000)]);
        Assert.Equal(10 - 1_000_000, Apply(rules, new Facts("a"), 10, out ExclusionReason excluded, out _));
        Assert.Equal(ExclusionReason.None, excluded);
        RuleSet huge = RuleSet.Compile([Rule(RuleAction.Prefer, new RuleMatch { Comm = "a" }, scale: 1e300)]);
        Assert.Equal(RuleSet.MaxBadnessPages, Apply(huge, new Facts("a"), 10, out _, out _));
    }

    [Fact]
    public void Protect_ends_the_evaluation_and_wins_over_an_earlier_ignore()
    {
        RuleSet rules = RuleSet.Compile([
            Rule(RuleAction.Ignore, new RuleMatch { Comm = "a" }, "ignore"),
            Rule(RuleAction.Prefer, new RuleMatch { Comm = "a" }, "prefer"),
            Rule(RuleAction.Protect, new RuleMatch { Comm = "a" }, "protect"),
            Rule(RuleAction.Prefer, new RuleMatch { Comm = "a" }, "after"),
        ]);
        Apply(rules, new Facts("a"), 100, out ExclusionReason excluded, out RuleHits hits);
        Assert.Equal(ExclusionReason.Protected, excluded);
        // The prefer after the ignore no longer counts, nor anything after the protect.
        Assert.Equal(2, hits.Total);
        Assert.Equal(0, hits[0]);
        Assert.Equal(2, hits[1]);
    }

    [Fact]
    public void Ignore_excludes_as_ignored()
    {
        RuleSet rules = RuleSet.Compile([Rule(RuleAction.Ignore, new RuleMatch { Comm = "a" })]);
        Apply(rules, new Facts("a"), 100, out ExclusionReason excluded, out _);
        Assert.Equal(ExclusionReason.Ignored, excluded);
        Assert.Equal("ignored", excluded.Token());
    }

    [Fact]
    public void Explain_retraces_each_rules_effect_from_the_kernels_figure()
    {
        RuleSet rules = RuleSet.Compile([
            Rule(RuleAction.Prefer, new RuleMatch { Comm = "a" }, "double", scale: 2),
            Rule(RuleAction.Prefer, new RuleMatch { Comm = "a" }, "plus"),
        ]);
        var candidate = new Candidate { BaseBadnessPages = 1_000 };
        candidate.BadnessPages = Apply(rules, new Facts("a"), 1_000, out _, out candidate.Rules);
        IReadOnlyList<RuleStep> steps = rules.Explain(candidate, TotalPages);
        Assert.Equal([("double", 1_000L, 2_000L), ("plus", 2_000L, 302_000L)], steps.Select(s => (s.Rule.Name, s.BeforePages, s.AfterPages)));
        Assert.Equal(candidate.BadnessPages, steps[^1].AfterPages);
        Assert.Equal("prefer x2", steps[0].Effect);
        Assert.Equal("prefer +300 adj", steps[1].Effect);
        Assert.Equal("double,plus", rules.NamesOf(candidate.Rules));
    }

    public static TheoryData<PolicyRule, string> Refused => new()
    {
        { Rule(RuleAction.Prefer, new RuleMatch()), "no match criterion" },
        { Rule(RuleAction.Prefer, new RuleMatch { Cmdline = "(a" }), "cmdline regular expression '(a'" },
        { Rule(RuleAction.Prefer, new RuleMatch { Cmdline = "(a)\\1" }), "linear-time engine" },
        { Rule(RuleAction.Prefer, new RuleMatch { Cmdline = "a(?!b)" }), "linear-time engine" },
        { Rule(RuleAction.Prefer, new RuleMatch { CmdlineNot = "[", Comm = "a" }), "cmdline_not regular expression" },
        { Rule(RuleAction.Prefer, new RuleMatch { Cgroup = "/a/[b" }), "without a closing ']'" },
        { Rule(RuleAction.Prefer, new RuleMatch { User = "alice" }), "user 'alice' was not resolved" },
        { Rule(RuleAction.Prefer, new RuleMatch { Comm = "a" }, adjust: 1001), "adjust 1001 is outside -1000..1000" },
        { Rule(RuleAction.Prefer, new RuleMatch { Comm = "a" }, scale: 0), "scale 0 must be a finite number above 0" },
        { Rule(RuleAction.Prefer, new RuleMatch { Comm = "a" }, adjust: -5), "a prefer rule must raise" },
        { Rule(RuleAction.Avoid, new RuleMatch { Comm = "a" }, scale: 3), "an avoid rule must lower" },
        { Rule(RuleAction.Protect, new RuleMatch { Comm = "a" }, adjust: 5), "a protect rule takes no adjust or scale" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void A_bad_rule_is_refused_with_one_line_naming_the_rule_and_where_it_was_written(PolicyRule rule, string expected)
    {
        Assert.Null(RuleSet.TryCompile([rule], out string? problem));
        Assert.NotNull(problem);
        Assert.StartsWith("test.toml:3:1: rule \"r\": ", problem);
        Assert.Contains(expected, problem, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', problem);
        Assert.Equal(problem, (new DaemonConfig { Rules = [rule] }).Validate());
    }

    [Fact]
    public void A_pathological_pattern_runs_in_linear_time_on_the_linear_time_engine()
    {
        // (a+)+$ against "aaaa...b" takes exponential time with backtracking; NonBacktracking is one pass.
        RuleSet rules = RuleSet.Compile([Rule(RuleAction.Prefer, new RuleMatch { Cmdline = "(a+)+$" })]);
        string cmdline = new string('a', 4000) + "b";
        Assert.False(new Facts("x", cmdline).Matches(rules, 0));
    }

    [Fact]
    public void Evaluating_a_warmed_rule_set_allocates_nothing()
    {
        RuleSet rules = RuleSet.Compile(RuleSet.RulesOf(new DaemonConfig()));
        Facts[] table =
        [
            new("chrome", "/opt/google/chrome/chrome --type=renderer --lang=en-US", "/opt/google/chrome/chrome", "/user.slice/u.scope", 1000),
            new("chrome", "/opt/google/chrome/chrome --restore-last-session", "/opt/google/chrome/chrome", "/user.slice/u.scope", 1000),
            new("Web Content", "/usr/lib/firefox/firefox -contentproc -childID 3", "/usr/lib/firefox/firefox", "/", 1000),
            new("systemd", "/lib/systemd/systemd --user", "/lib/systemd/systemd", "/user.slice", 1000),
            new("bash", "-bash", "/bin/bash", "/", 0),
        ];
        byte[][] comms = [.. table.Select(f => Encoding.UTF8.GetBytes(f.Comm))];
        long sum = Run();
        long allocated = ThreadAllocation.Measure(() => sum += Run());
        Assert.True(sum != 0);
        Assert.Equal(0, allocated);

        long Run()
        {
            long total = 0;
            for (int i = 0; i < table.Length; i++)
            {
                RuleHits hits = default;
                total += rules.Apply(table[i].View(comms[i]), 1_000, TotalPages, ref hits, out _);
            }
            return total;
        }
    }

    private static long Apply(RuleSet rules, Facts facts, long badness, out ExclusionReason excluded, out RuleHits hits, long totalPages = TotalPages)
    {
        hits = default;
        return rules.Apply(facts.View(Encoding.UTF8.GetBytes(facts.Comm)), badness, totalPages, ref hits, out excluded);
    }
}
