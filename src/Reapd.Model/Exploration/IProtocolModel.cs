namespace Reapd.Model.Exploration;

/// <summary>
/// A protocol as a transition system. A state is packed into 128 bits. Every actor has at most one enabled step in a
/// state (its program counter decides which), so a step is named by its actor and the explorer's choices are exactly
/// the interleavings.
/// </summary>
public interface IProtocolModel
{
    /// <summary>The variant's name as given to --variant ("4.14", "reapd").</summary>
    string VariantName { get; }

    IReadOnlyList<Invariant> Invariants { get; }

    IReadOnlyList<Scenario> Scenarios { get; }

    int ActorCount { get; }

    string ActorName(int actor);

    /// <summary>Weak fairness: a fair actor that stays enabled is eventually scheduled. The environment (an IO that
    /// may never complete, a process that may exit on its own) is not fair.</summary>
    bool IsFair(int actor);

    /// <summary>Writes the actors with an enabled step into <paramref name="actors"/> and returns their number.</summary>
    int EnabledActors(UInt128 state, Span<byte> actors);

    /// <summary>The name of the step the actor would take, "R.trylock_read", or null when it has none.</summary>
    string? StepName(UInt128 state, int actor);

    Transition Apply(UInt128 state, int actor);

    /// <summary>Same step as <see cref="Apply"/>, explained.</summary>
    StepReport Explain(UInt128 state, int actor);

    /// <summary>True while the liveness obligation is open (a victim's memory is still mapped and nobody gave up).
    /// Leaving this region is permanent in every model here.</summary>
    bool LivenessPending(UInt128 state);

    /// <summary>The case label ("1a") and the reason of a liveness counterexample that stays forever in the region of
    /// <paramref name="state"/>.</summary>
    LivenessReport ExplainLiveness(UInt128 state);

    /// <summary>The give-up the kernel allows (the reaper out of retries, reapd's settle timeout): reported, not a violation.</summary>
    bool GaveUp(UInt128 state);

    /// <summary>What <see cref="GaveUp"/> means in this model, for the report.</summary>
    string GiveUpMeaning { get; }

    /// <summary>The state as ordered key/value pairs, for traces.</summary>
    void Describe(UInt128 state, List<KeyValuePair<string, string>> into);
}
