namespace Reapd.Core.Policy;

/// <summary>One rule's part in a process's ranking, for `reapd ls`: the badness before and after it, in pages.</summary>
public readonly record struct RuleStep(int RuleIndex, PolicyRule Rule, long BeforePages, long AfterPages, string Effect);
