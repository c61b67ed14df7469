namespace Reapd.Model.Exploration;

/// <summary>
/// What every model shares: the explorer speaks packed 128-bit states, a model's steps work on its unpacked
/// <typeparamref name="TState"/>. A model supplies the packing, the name of each actor's enabled step, and the step.
/// </summary>
internal abstract class PackedModel<TState> : IProtocolModel
    where TState : struct
{
    public abstract string VariantName { get; }

    public abstract IReadOnlyList<Invariant> Invariants { get; }

    public abstract IReadOnlyList<Scenario> Scenarios { get; }

    public abstract int ActorCount { get; }

    public abstract string GiveUpMeaning { get; }

    public abstract string ActorName(int actor);

    public abstract bool IsFair(int actor);

    public abstract bool LivenessPending(UInt128 state);

    public abstract LivenessReport ExplainLiveness(UInt128 state);

    public abstract bool GaveUp(UInt128 state);

    public abstract void Describe(UInt128 state, List<KeyValuePair<string, string>> into);

    protected abstract TState Unpack(UInt128 packed);

    protected abstract UInt128 Pack(in TState state);

    /// <summary>The step the actor would take now, or null when it has none (done, or blocked).</summary>
    protected abstract string? StepName(in TState state, int actor);

    /// <summary>Performs the actor's step; returns the set of invariants it broke (bit i = invariant i).</summary>
    protected abstract int Step(ref TState state, int actor, StepExplanation? explanation);

    public int EnabledActors(UInt128 state, Span<byte> actors)
    {
        TState s = Unpack(state);
        int n = 0;
        for (int a = 0; a < ActorCount; a++)
        {
            if (StepName(in s, a) is not null)
            {
                actors[n++] = (byte)a;
            }
        }
        return n;
    }

    public string? StepName(UInt128 state, int actor)
    {
        TState s = Unpack(state);
        return StepName(in s, actor);
    }

    public Transition Apply(UInt128 state, int actor)
    {
        TState s = Unpack(state);
        int broken = Step(ref s, actor, null);
        return new Transition(Pack(in s), broken);
    }

    public StepReport Explain(UInt128 state, int actor)
    {
        TState s = Unpack(state);
        var x = new StepExplanation();
        Step(ref s, actor, x);
        return new StepReport(Pack(in s), x.Note, x.Breaches);
    }
}
