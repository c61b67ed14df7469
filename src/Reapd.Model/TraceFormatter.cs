using System.Globalization;
using System.Text;
using Reapd.Model.Exploration;

namespace Reapd.Model;

/// <summary>
/// Prints a counterexample as numbered "actor.step" lines, each with what the step did and the state fields it
/// changed, then the state that broke the invariant. The text is also the replay format: <see cref="TraceReplayer"/>
/// reads back the header lines and the step names.
/// </summary>
public static class TraceFormatter
{
    public const string CycleMarker = "-- the steps below repeat forever";
    public const string QuiescentMarker = "-- no fair actor has a step from here";

    public static string Format(IProtocolModel model, Counterexample counterexample, ModelOptions options)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(counterexample);
        ArgumentNullException.ThrowIfNull(options);
        var text = new StringBuilder();
        text.Append("variant: ").Append(model.VariantName).Append('\n');
        text.Append("options: retries=").Append(options.Retries.ToString(CultureInfo.InvariantCulture)).Append('\n');
        text.Append("scenario: ").Append(model.Scenarios[counterexample.Scenario].Name).Append('\n');
        text.Append("violation: ").Append(Title(model, counterexample)).Append('\n');

        UInt128 state = model.Scenarios[counterexample.Scenario].Initial;
        var before = new List<KeyValuePair<string, string>>();
        var after = new List<KeyValuePair<string, string>>();
        model.Describe(state, before);
        text.Append(Line(0, "initial", Join(before)));
        IReadOnlyList<Breach> lastBreaches = [];
        for (int i = 0; i < counterexample.Steps.Count; i++)
        {
            if (i == counterexample.CycleStart)
            {
                text.Append("      ").Append(CycleMarker)
                    .Append(" (every fair actor steps in the cycle or is disabled somewhere in it) --\n");
            }
            int actor = counterexample.Steps[i];
            string name = model.StepName(state, actor)
                ?? throw new InvalidOperationException($"trace: step {i + 1} ({model.ActorName(actor)}) is not enabled");
            StepReport report = model.Explain(state, actor);
            state = report.Next;
            after.Clear();
            model.Describe(state, after);
            string changes = Changes(before, after);
            string detail = report.Note.Length == 0 ? changes : changes.Length == 0 ? report.Note : report.Note + " | " + changes;
            text.Append(Line(i + 1, name, detail));
            (before, after) = (after, before);
            lastBreaches = report.Breaches;
        }
        if (counterexample.CycleStart >= 0)
        {
            text.Append("      -- back to the state after step ")
                .Append(counterexample.CycleStart.ToString(CultureInfo.InvariantCulture)).Append(" --\n");
        }
        if (counterexample.EndsQuiescent)
        {
            text.Append("      ").Append(QuiescentMarker)
                .Append(": the run may stay here forever (the environment, e.g. IO.complete, is not fair) --\n");
        }
        if (counterexample.Invariant >= 0)
        {
            string code = model.Invariants[counterexample.Invariant].Code;
            string reason = counterexample.Reason;
            foreach (Breach b in lastBreaches)
            {
                if (b.Invariant == counterexample.Invariant && b.Label == counterexample.Label)
                {
                    reason = b.Reason;
                }
            }
            text.Append("      => ").Append(code).Append(" broken (").Append(counterexample.Label).Append("): ").Append(reason).Append('\n');
        }
        else
        {
            text.Append("      => ").Append(model.GiveUpMeaning).Append('\n');
        }
        text.Append("      state: ").Append(Join(before)).Append('\n');
        return text.ToString();
    }

    /// <summary>The steps on one line, for the summary: "A1.alloc A1.lock_oom ...".</summary>
    public static string Compact(IProtocolModel model, Counterexample counterexample)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(counterexample);
        var text = new StringBuilder();
        UInt128 state = model.Scenarios[counterexample.Scenario].Initial;
        for (int i = 0; i < counterexample.Steps.Count; i++)
        {
            if (i == counterexample.CycleStart)
            {
                text.Append("[ cycle: ");
            }
            int actor = counterexample.Steps[i];
            text.Append(model.StepName(state, actor)).Append(' ');
            state = model.Apply(state, actor).Next;
        }
        if (counterexample.CycleStart >= 0)
        {
            text.Append("] forever");
        }
        else if (counterexample.EndsQuiescent)
        {
            text.Append("[ then stuck forever ]");
        }
        return text.ToString().TrimEnd();
    }

    public static string Title(IProtocolModel model, Counterexample counterexample)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(counterexample);
        if (counterexample.Invariant < 0)
        {
            return "none (give-up example)";
        }
        Invariant inv = model.Invariants[counterexample.Invariant];
        return $"{inv.Code} {inv.Title} ({counterexample.Label})";
    }

    private static string Line(int number, string step, string detail) =>
        string.Create(CultureInfo.InvariantCulture, $"  {number,3}. {step,-30} {detail}").TrimEnd() + "\n";

    private static string Join(List<KeyValuePair<string, string>> fields)
    {
        var text = new StringBuilder();
        foreach (KeyValuePair<string, string> f in fields)
        {
            if (text.Length > 0)
            {
                text.Append("  ");
            }
            text.Append(f.Key).Append('=').Append(f.Value);
        }
        return text.ToString();
    }

    private static string Changes(List<KeyValuePair<string, string>> before, List<KeyValuePair<string, string>> after)
    {
        var changed = new List<KeyValuePair<string, string>>();
        foreach (KeyValuePair<string, string> f in after)
        {
            bool same = false;
            foreach (KeyValuePair<string, string> g in before)
            {
                if (g.Key == f.Key)
                {
                    same = g.Value == f.Value;
                    break;
                }
            }
            if (!same)
            {
                changed.Add(f);
            }
        }
        return Join(changed);
    }
}
