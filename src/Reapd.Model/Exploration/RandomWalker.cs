using System.Diagnostics;

namespace Reapd.Model.Exploration;

/// <summary>
/// Seeded random walks, for configurations too large to enumerate. Each walk starts from a scenario picked by the
/// generator and takes uniformly random enabled steps until no step is enabled, a safety invariant breaks, or the depth
/// bound is reached. The same seed gives the same walks. A walk proves nothing when it finds nothing, so the result
/// is never complete, and liveness is not checked.
/// </summary>
public static class RandomWalker
{
    public static ExplorationResult Walk(IProtocolModel model, ulong seed, int walks, int maxDepth)
    {
        ArgumentNullException.ThrowIfNull(model);
        var clock = Stopwatch.StartNew();
        var rng = new SplitMix64(seed);
        var best = new Dictionary<(int Invariant, string Label), Counterexample>();
        Span<byte> enabled = stackalloc byte[model.ActorCount];
        int safetyMask = Explorer.SafetyMask(model);
        long steps = 0;
        long giveUps = 0;
        Counterexample? giveUp = null;
        for (int w = 0; w < walks; w++)
        {
            int scenario = rng.Below(model.Scenarios.Count);
            UInt128 state = model.Scenarios[scenario].Initial;
            var path = new List<int>();
            for (int d = 0; d < maxDepth; d++)
            {
                int n = model.EnabledActors(state, enabled);
                if (n == 0)
                {
                    break;
                }
                int actor = enabled[rng.Below(n)];
                Transition t = model.Apply(state, actor);
                path.Add(actor);
                steps++;
                if (t.Breaks)
                {
                    foreach (Breach b in model.Explain(state, actor).Breaches)
                    {
                        if (!best.TryGetValue((b.Invariant, b.Label), out Counterexample? old) || old.Steps.Count > path.Count)
                        {
                            best[(b.Invariant, b.Label)] = new Counterexample(b.Invariant, b.Label, scenario, [.. path], -1, false,
                                $"{b.Reason} (seed {seed}, walk {w + 1})");
                        }
                    }
                    if ((t.Broken & safetyMask) != 0)
                    {
                        break;
                    }
                }
                state = t.Next;
                if (model.GaveUp(state))
                {
                    giveUps++;
                    giveUp ??= new Counterexample(-1, "give-up", scenario, [.. path], -1, false, model.GiveUpMeaning);
                }
            }
        }
        var counterexamples = new List<Counterexample>(best.Values);
        counterexamples.Sort((a, b) => a.Invariant != b.Invariant
            ? a.Invariant.CompareTo(b.Invariant)
            : string.CompareOrdinal(a.Label, b.Label));
        return new ExplorationResult(model.VariantName, $"random walks (seed {seed}, {walks} walks, depth {maxDepth})",
            steps, steps, Complete: false, LivenessChecked: false, clock.Elapsed, counterexamples, giveUps, giveUp);
    }
}
