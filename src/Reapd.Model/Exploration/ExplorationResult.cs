namespace Reapd.Model.Exploration;

/// <summary>
/// What one exploration of one variant found. <see cref="Complete"/> is false when the state bound was hit or the run
/// was a random walk: then "no violation found" proves nothing and the verdict is inconclusive. For random walks
/// <see cref="States"/> counts the steps taken, not distinct states.
/// </summary>
public sealed record ExplorationResult(
    string Variant,
    string Mode,
    long States,
    long Transitions,
    bool Complete,
    bool LivenessChecked,
    TimeSpan Elapsed,
    IReadOnlyList<Counterexample> Counterexamples,
    long GiveUpStates,
    Counterexample? GiveUpExample)
{
    /// <summary>
    /// Every distinct breach (invariant, label, reason) a step of an exhaustive exploration produced, not only the
    /// first per (invariant, label): which arms of a model's checks are reachable. Empty for random walks.
    /// </summary>
    public IReadOnlyCollection<Breach> Breaches { get; init; } = [];

    /// <summary>The shortest counterexample of an invariant, any case, or null.</summary>
    public Counterexample? Shortest(int invariant)
    {
        Counterexample? best = null;
        foreach (Counterexample c in Counterexamples)
        {
            if (c.Invariant == invariant && (best is null || c.Steps.Count < best.Steps.Count))
            {
                best = c;
            }
        }
        return best;
    }

    /// <summary>The case labels under which an invariant was found broken, sorted.</summary>
    public IReadOnlyList<string> Labels(int invariant)
    {
        var labels = new List<string>();
        foreach (Counterexample c in Counterexamples)
        {
            if (c.Invariant == invariant && !labels.Contains(c.Label))
            {
                labels.Add(c.Label);
            }
        }
        labels.Sort(StringComparer.Ordinal);
        return labels;
    }
}
