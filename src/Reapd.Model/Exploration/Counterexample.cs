namespace Reapd.Model.Exploration;

/// <summary>
/// A run that breaks an invariant: the steps (as actors) from the scenario's initial state. A safety or decision
/// counterexample ends with the breaking step. A liveness counterexample is a lasso: the steps from
/// <see cref="CycleStart"/> on repeat forever, or (<see cref="EndsQuiescent"/>) the run ends in a state where no fair
/// actor has a step, so it may stay there forever. <see cref="Invariant"/> is -1 for a give-up example.
/// </summary>
public sealed record Counterexample(
    int Invariant,
    string Label,
    int Scenario,
    IReadOnlyList<int> Steps,
    int CycleStart,
    bool EndsQuiescent,
    string Reason)
{
    public bool IsLasso => CycleStart >= 0 || EndsQuiescent;
}
