namespace Reapd.Model.Exploration;

/// <summary>One invariant a step broke: the case label ("2b") and why.</summary>
public sealed record Breach(int Invariant, string Label, string Reason);
