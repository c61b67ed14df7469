namespace Reapd.Model.Exploration;

/// <summary>
/// The outcome of one atomic step: the next state, and the set of invariants (bit i = invariant i) the step broke.
/// </summary>
public readonly record struct Transition(UInt128 Next, int Broken)
{
    public bool Breaks => Broken != 0;
}
