using Reapd.Model.Exploration;

namespace Reapd.Model;

/// <summary>A variant explored, with its verdict per invariant against what kernel history expects.</summary>
public sealed record VariantRun(VariantSpec Spec, IProtocolModel Model, ModelOptions Options, ExplorationResult Result, IReadOnlyList<InvariantOutcome> Outcomes)
{
    /// <summary>True when every verdict is the expected one; an inconclusive verdict never matches.</summary>
    public bool Matches => Outcomes.All(o => o.Matches);

    public InvariantOutcome Outcome(string code) => Outcomes.First(o => o.Code == code);
}
