namespace Reapd.Core.Policy;

/// <summary>One rule on one process (RuleSet.Evaluate).</summary>
public enum RuleVerdict : byte
{
    NoMatch,
    Matches,
    /// <summary>Everything the rule could check matched, but an input it needs could not be read.</summary>
    Undecided,
}
