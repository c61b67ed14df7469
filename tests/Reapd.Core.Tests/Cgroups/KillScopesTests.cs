using Reapd.Core.Policy;
using Reapd.Core.Selection;

namespace Reapd.Core.Tests.Cgroups;

public sealed class KillScopesTests
{
    private static PolicyRule Rule(string name, KillScope? scope) =>
        new(name, RuleAction.Prefer, new RuleMatch { Comm = name }, new SourcePosition("test.toml", 1, 1)) { KillScope = scope };

    private static Candidate Touched(params int[] rules)
    {
        var candidate = new Candidate();
        foreach (int rule in rules)
        {
            candidate.Rules.Add(rule);
        }
        return candidate;
    }

    [Fact]
    public void The_last_rule_with_a_scope_wins_over_earlier_ones_and_the_configured_scope()
    {
        RuleSet rules = RuleSet.Compile([Rule("a", KillScope.ProcessGroup), Rule("b", null), Rule("c", KillScope.Cgroup)]);
        Assert.Equal(KillScope.Cgroup, KillScopes.For(Touched(0, 1, 2), rules, KillScope.Subtree));
        Assert.Equal(KillScope.ProcessGroup, KillScopes.For(Touched(0, 1), rules, KillScope.Subtree));
    }

    [Fact]
    public void Without_a_rule_that_gives_one_the_configured_scope_holds()
    {
        RuleSet rules = RuleSet.Compile([Rule("a", null)]);
        Assert.Equal(KillScope.Subtree, KillScopes.For(Touched(0), rules, KillScope.Subtree));
        Assert.Equal(KillScope.Process, KillScopes.For(Touched(), rules, KillScope.Process));
    }
}
