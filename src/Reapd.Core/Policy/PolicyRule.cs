namespace Reapd.Core.Policy;

/// <summary>
/// One `[[rule]]` of the configuration (or a built-in desktop default). Rules are applied in order; every matching
/// rule applies (a protect or ignore ends the ranking of that process).
/// </summary>
/// <param name="Name">Shown by `reapd ls` and in the kill event; defaults to "rule N" (its index).</param>
/// <param name="Action">What it does.</param>
/// <param name="Match">Whom it matches.</param>
/// <param name="Where">Where it was written.</param>
public sealed record PolicyRule(string Name, RuleAction Action, RuleMatch Match, SourcePosition Where)
{
    /// <summary>
    /// Added to the badness, in oom_score_adj units (per mille of the scope's total pages, as the kernel scales
    /// oom_score_adj), -1000..1000. Prefer and avoid have a default when neither this nor <see cref="Scale"/> is given.
    /// </summary>
    public int? Adjust { get; init; }

    /// <summary>Multiplies the badness (applied before <see cref="Adjust"/>), above 0.</summary>
    public double? Scale { get; init; }

    /// <summary>The kill scope when the victim is chosen through this rule's match; null keeps the configured one.</summary>
    public KillScope? KillScope { get; init; }
}
