using Reapd.Model.Exploration;

namespace Reapd.Model;

/// <summary>Runs a variant (exhaustively or by seeded random walks) and judges its verdicts.</summary>
public static class ModelCheck
{
    public static VariantRun Explore(VariantSpec spec, ModelOptions options, int maxStates = Explorer.DefaultMaxStates)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(options);
        IProtocolModel model = spec.Create(options);
        return Judge(spec, model, options, Explorer.Explore(model, maxStates));
    }

    public static VariantRun Walk(VariantSpec spec, ModelOptions options, ulong seed, int walks, int maxDepth)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(options);
        IProtocolModel model = spec.Create(options);
        return Judge(spec, model, options, RandomWalker.Walk(model, seed, walks, maxDepth));
    }

    private static VariantRun Judge(VariantSpec spec, IProtocolModel model, ModelOptions options, ExplorationResult result)
    {
        var outcomes = new List<InvariantOutcome>();
        for (int i = 0; i < model.Invariants.Count; i++)
        {
            Invariant inv = model.Invariants[i];
            IReadOnlyList<string> labels = result.Labels(i);
            bool explored = result.Complete && (inv.Kind != InvariantKind.Liveness || result.LivenessChecked);
            bool? holds = labels.Count > 0 ? false : explored ? true : null;
            outcomes.Add(new InvariantOutcome(inv.Code, inv.Title, spec.Expectations[inv.Code], holds, labels));
        }
        return new VariantRun(spec, model, options, result, outcomes);
    }
}
