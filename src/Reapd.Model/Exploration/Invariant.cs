namespace Reapd.Model.Exploration;

/// <summary>One checked property, e.g. S1 "no use-after-free" (docs/kernel.md B.5).</summary>
public sealed record Invariant(string Code, string Title, InvariantKind Kind);
