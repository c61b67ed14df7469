using Reapd.Core.Selection;

namespace Reapd.Core.Policy;

/// <summary>The kill scope for one victim (docs/cgroups.md): the scope of the last rule that touched it and gives one, else the configured scope.</summary>
public static class KillScopes
{
    public static KillScope For(in Candidate victim, RuleSet rules, KillScope configured)
    {
        KillScope scope = configured;
        // Rules apply in order: a later rule's scope overrides an earlier one's, as its badness effect follows it.
        for (int i = 0; i < victim.Rules.Count; i++)
        {
            if (rules[victim.Rules[i]].KillScope is KillScope ruleScope)
            {
                scope = ruleScope;
            }
        }
        return scope;
    }
}
