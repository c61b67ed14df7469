using System.Diagnostics;

namespace Reapd.Model.Exploration;

/// <summary>
/// Exhaustive exploration: breadth-first search over every interleaving from every scenario, with each state packed
/// into 128 bits and stored once. Breadth-first order makes the first counterexample found for each (invariant, case)
/// a shortest one. Safety and decision invariants are checked on every step; the liveness invariant is checked
/// afterwards on the complete graph (<see cref="LivenessChecker"/>). Hitting <c>maxStates</c> makes the result
/// incomplete, never a pass.
/// </summary>
public static class Explorer
{
    public const int DefaultMaxStates = 4_000_000;

    public static ExplorationResult Explore(IProtocolModel model, int maxStates = DefaultMaxStates)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxStates, 1);
        var clock = Stopwatch.StartNew();
        var graph = new StateGraph(Math.Min(maxStates, 1 << 16));
        var found = new Dictionary<(int Invariant, string Label), (int From, int Actor, string Reason)>();
        var everyBreach = new HashSet<Breach>();
        int safetyMask = SafetyMask(model);
        Span<byte> enabled = stackalloc byte[model.ActorCount];
        long transitions = 0;
        long giveUpStates = 0;
        int firstGiveUp = -1;
        bool complete = true;

        for (int s = 0; s < model.Scenarios.Count; s++)
        {
            graph.AddRoot(model.Scenarios[s].Initial, s);
        }

        for (int i = 0; i < graph.Count && complete; i++)
        {
            UInt128 state = graph[i];
            if (model.GaveUp(state))
            {
                giveUpStates++;
                if (firstGiveUp < 0)
                {
                    firstGiveUp = i;
                }
            }
            int n = model.EnabledActors(state, enabled);
            for (int k = 0; k < n; k++)
            {
                int actor = enabled[k];
                Transition t = model.Apply(state, actor);
                transitions++;
                if (t.Breaks)
                {
                    // Labels cost strings: only breaking steps pay for them.
                    foreach (Breach b in model.Explain(state, actor).Breaches)
                    {
                        found.TryAdd((b.Invariant, b.Label), (i, actor, b.Reason));
                        everyBreach.Add(b);
                    }
                    if ((t.Broken & safetyMask) != 0)
                    {
                        continue;
                    }
                }
                if (!graph.TryFind(t.Next, out _))
                {
                    if (graph.Count >= maxStates)
                    {
                        complete = false;
                        break;
                    }
                    graph.Add(t.Next, i, actor);
                }
            }
        }

        var counterexamples = new List<Counterexample>();
        foreach (((int invariant, string label), (int from, int actor, string reason)) in found)
        {
            (List<int> steps, int scenario) = graph.PathTo(from);
            steps.Add(actor);
            counterexamples.Add(new Counterexample(invariant, label, scenario, steps, -1, false, reason));
        }

        bool livenessChecked = false;
        if (complete)
        {
            counterexamples.AddRange(LivenessChecker.Check(model, graph));
            livenessChecked = true;
        }
        counterexamples.Sort((a, b) => a.Invariant != b.Invariant
            ? a.Invariant.CompareTo(b.Invariant)
            : string.CompareOrdinal(a.Label, b.Label));

        Counterexample? giveUp = null;
        if (firstGiveUp >= 0)
        {
            (List<int> steps, int scenario) = graph.PathTo(firstGiveUp);
            giveUp = new Counterexample(-1, "give-up", scenario, steps, -1, false, model.GiveUpMeaning);
        }

        return new ExplorationResult(model.VariantName, "exhaustive", graph.Count, transitions, complete, livenessChecked,
            clock.Elapsed, counterexamples, giveUpStates, giveUp) { Breaches = everyBreach };
    }

    /// <summary>The invariants whose breach ends an execution (bit i = invariant i).</summary>
    public static int SafetyMask(IProtocolModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        int mask = 0;
        for (int i = 0; i < model.Invariants.Count; i++)
        {
            if (model.Invariants[i].Kind == InvariantKind.Safety)
            {
                mask |= 1 << i;
            }
        }
        return mask;
    }
}
