namespace Reapd.Model.Exploration;

/// <summary>
/// A step explained for a human: what it did ("fails: a writer is waiting") and every invariant it broke. Built only
/// when a trace is printed or a breaking step is recorded, never on the explorer's hot path.
/// </summary>
public sealed record StepReport(UInt128 Next, string Note, IReadOnlyList<Breach> Breaches);
