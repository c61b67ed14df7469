namespace Reapd.Core.Policy;

/// <summary>What a rule does to the processes it matches (docs/config.md).</summary>
public enum RuleAction : byte
{
    /// <summary>Rank it earlier: its badness is raised (<see cref="PolicyRule.Adjust"/>, <see cref="PolicyRule.Scale"/>).</summary>
    Prefer,

    /// <summary>Rank it later: its badness is lowered.</summary>
    Avoid,

    /// <summary>
    /// Never chosen, and never killed as a bystander either: a kill whose scope (process group, subtree, cgroup, mm
    /// sharers) would reach it is refused and said, as for oom_score_adj -1000.
    /// </summary>
    Protect,

    /// <summary>
    /// Never chosen as the victim, but it dies with the victim's process group, subtree or cgroup when the kill scope
    /// reaches it (for example a helper process that frees nothing on its own).
    /// </summary>
    Ignore,
}
