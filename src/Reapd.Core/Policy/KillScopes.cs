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
            // The hits must come from a ranking with this rule set (the actuator keeps the set its scan used); an index
            // past its end is ignored rather than thrown on the decision loop.
            int index = victim.Rules[i];
            if (index < rules.Count && rules[index].KillScope is KillScope ruleScope)
            {
                scope = ruleScope;
            }
        }
        return scope;
    }
}
