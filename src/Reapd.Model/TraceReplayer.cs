using System.Globalization;
using Reapd.Model.Exploration;

namespace Reapd.Model;

/// <summary>
/// Replays a trace printed by <see cref="TraceFormatter"/>: the "variant:", "options:", "scenario:" and "violation:"
/// header lines, then the numbered step lines (only the step name after the number is read, so the state columns may
/// be edited or removed), and the cycle or quiescence marker of a liveness trace. Each step must be enabled when its
/// turn comes; the run is deterministic, so it reproduces the same states and the same breach.
/// </summary>
public static class TraceReplayer
{
    public static ReplayResult Replay(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string? variant = null;
        string? scenario = null;
        string violation = "";
        int retries = ModelOptions.Default.Retries;
        var steps = new List<string>();
        int cycleStart = -1;
        bool quiescent = false;
        foreach (string raw in text.Split('\n'))
        {
            string line = raw.Trim();
            if (line.StartsWith("variant:", StringComparison.Ordinal))
            {
                variant = line["variant:".Length..].Trim();
            }
            else if (line.StartsWith("options:", StringComparison.Ordinal))
            {
                string value = line["options:".Length..].Trim();
                if (!value.StartsWith("retries=", StringComparison.Ordinal)
                    || !int.TryParse(value["retries=".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out retries)
                    || retries is < 1 or > 10)
                {
                    return Fail($"bad options line '{line}'");
                }
            }
            else if (line.StartsWith("scenario:", StringComparison.Ordinal))
            {
                scenario = line["scenario:".Length..].Trim();
            }
            else if (line.StartsWith("violation:", StringComparison.Ordinal))
            {
                violation = line["violation:".Length..].Trim();
            }
            else if (line.StartsWith(TraceFormatter.CycleMarker, StringComparison.Ordinal))
            {
                cycleStart = steps.Count;
            }
            else if (line.StartsWith(TraceFormatter.QuiescentMarker, StringComparison.Ordinal))
            {
                quiescent = true;
            }
            else if (StepLine(line) is string step && step != "initial")
            {
                steps.Add(step);
            }
        }
        if (variant is null || scenario is null)
        {
            return Fail("the trace lacks its 'variant:' or 'scenario:' line");
        }
        VariantSpec? spec = VariantCatalogue.Find(variant);
        if (spec is null)
        {
            return Fail($"unknown variant '{variant}'");
        }
        var options = new ModelOptions(retries);
        IProtocolModel model = spec.Create(options);
        int scenarioIndex = -1;
        for (int i = 0; i < model.Scenarios.Count; i++)
        {
            if (model.Scenarios[i].Name == scenario)
            {
                scenarioIndex = i;
            }
        }
        if (scenarioIndex < 0)
        {
            return Fail($"variant {variant} has no scenario '{scenario}'");
        }

        // Run the steps, keeping the states (for the cycle) and the breaches of every step.
        UInt128 state = model.Scenarios[scenarioIndex].Initial;
        var states = new List<UInt128> { state };
        var actors = new List<int>();
        IReadOnlyList<Breach> lastBreaches = [];
        for (int i = 0; i < steps.Count; i++)
        {
            int actor = -1;
            for (int a = 0; a < model.ActorCount; a++)
            {
                if (model.StepName(state, a) == steps[i])
                {
                    actor = a;
                }
            }
            if (actor < 0)
            {
                return Fail($"step {i + 1} ({steps[i]}) is not enabled at that point");
            }
            StepReport report = model.Explain(state, actor);
            lastBreaches = report.Breaches;
            actors.Add(actor);
            state = report.Next;
            states.Add(state);
        }

        Counterexample found;
        string foundText;
        if (cycleStart >= 0 || quiescent)
        {
            string? problem = CheckLasso(model, states, actors, cycleStart, quiescent);
            if (problem is not null)
            {
                return Fail(problem);
            }
            int liveness = LivenessInvariant(model);
            LivenessReport live = model.ExplainLiveness(states[cycleStart >= 0 ? cycleStart : states.Count - 1]);
            found = new Counterexample(liveness, live.Label, scenarioIndex, actors, cycleStart, quiescent, live.Reason);
        }
        else if (lastBreaches.Count > 0)
        {
            // A step may break two invariants at once (N1 and N2); the trace's violation line says which one it shows.
            Breach shown = lastBreaches[0];
            foreach (Breach b in lastBreaches)
            {
                if (Title(model, b) == violation)
                {
                    shown = b;
                }
            }
            found = new Counterexample(shown.Invariant, shown.Label, scenarioIndex, actors, -1, false, shown.Reason);
        }
        else
        {
            found = new Counterexample(-1, "give-up", scenarioIndex, actors, -1, false, model.GiveUpMeaning);
        }
        foundText = TraceFormatter.Title(model, found);
        string trace = TraceFormatter.Format(model, found, options);
        bool reproduced = found.Invariant >= 0 && (violation.Length == 0 || violation == foundText)
            || found.Invariant < 0 && violation.StartsWith("none", StringComparison.Ordinal) && model.GaveUp(state);
        return new ReplayResult(reproduced, violation, foundText, trace, null);
    }

    private static string Title(IProtocolModel model, Breach b) =>
        $"{model.Invariants[b.Invariant].Code} {model.Invariants[b.Invariant].Title} ({b.Label})";

    private static ReplayResult Fail(string error) => new(false, "", "", "", error);

    /// <summary>The step name of a numbered trace line "  12. A2.oom_kill_V2   ...", or null.</summary>
    private static string? StepLine(string line)
    {
        int dot = line.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || !int.TryParse(line.AsSpan(0, dot), NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            return null;
        }
        string rest = line[(dot + 1)..].TrimStart();
        int end = rest.IndexOf(' ', StringComparison.Ordinal);
        return end < 0 ? rest : rest[..end];
    }

    private static int LivenessInvariant(IProtocolModel model)
    {
        for (int i = 0; i < model.Invariants.Count; i++)
        {
            if (model.Invariants[i].Kind == InvariantKind.Liveness)
            {
                return i;
            }
        }
        return -1;
    }

    /// <summary>Checks that a replayed lasso really is one: pending throughout, closed, and weakly fair.</summary>
    private static string? CheckLasso(IProtocolModel model, List<UInt128> states, List<int> actors, int cycleStart, bool quiescent)
    {
        Span<byte> enabled = stackalloc byte[model.ActorCount];
        if (quiescent)
        {
            UInt128 last = states[^1];
            if (!model.LivenessPending(last))
            {
                return "the trace's last state has no open liveness obligation";
            }
            int n = model.EnabledActors(last, enabled);
            for (int k = 0; k < n; k++)
            {
                if (model.IsFair(enabled[k]))
                {
                    return $"the last state is not quiescent: {model.StepName(last, enabled[k])} is enabled and fair";
                }
            }
            return null;
        }
        if (cycleStart >= actors.Count || states[^1] != states[cycleStart])
        {
            return "the cycle does not return to the state it starts from";
        }
        uint taken = 0;
        uint disabledSomewhere = 0;
        uint fair = 0;
        for (int a = 0; a < model.ActorCount; a++)
        {
            if (model.IsFair(a))
            {
                fair |= 1u << a;
            }
        }
        for (int i = cycleStart; i < actors.Count; i++)
        {
            if (!model.LivenessPending(states[i]))
            {
                return $"the liveness obligation is closed at step {i} of the cycle";
            }
            taken |= 1u << actors[i];
            uint mask = 0;
            int n = model.EnabledActors(states[i], enabled);
            for (int k = 0; k < n; k++)
            {
                mask |= 1u << enabled[k];
            }
            disabledSomewhere |= ~mask & fair;
        }
        uint starved = fair & ~(taken | disabledSomewhere);
        return starved == 0 ? null : "the cycle is not fair: an actor stays enabled and never steps";
    }
}
