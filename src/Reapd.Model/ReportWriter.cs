using System.Globalization;
using Reapd.Model.Exploration;

namespace Reapd.Model;

/// <summary>Prints what model-check found, per variant and as a closing table.</summary>
public static class ReportWriter
{
    public static void WriteRun(VariantRun run, TextWriter output, bool trace)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(output);
        ExplorationResult r = run.Result;
        IProtocolModel model = run.Model;
        output.WriteLine($"== {run.Spec.Name}: {run.Spec.Title}");
        output.WriteLine(r.Mode == "exhaustive"
            ? string.Create(CultureInfo.InvariantCulture,
                $"   {r.Mode}, {model.Scenarios.Count} scenarios: {r.States:N0} states, {r.Transitions:N0} transitions, {(r.Complete ? "complete" : "INCOMPLETE")}, {r.Elapsed.TotalSeconds:0.00} s")
            : string.Create(CultureInfo.InvariantCulture,
                $"   {r.Mode}, {model.Scenarios.Count} scenarios: {r.Transitions:N0} steps, INCOMPLETE, {r.Elapsed.TotalSeconds:0.00} s"));
        foreach (InvariantOutcome o in run.Outcomes)
        {
            output.WriteLine($"   {o.Code} {o.Title,-48} {o.Verdict,-16} expected {o.Expected,-14} {(o.Matches ? "ok" : "MISMATCH")}");
        }
        if (r.GiveUpStates > 0)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"   give-up (not a violation): reachable in {r.GiveUpStates:N0} states; {model.GiveUpMeaning}"));
        }
        else
        {
            output.WriteLine("   give-up (not a violation): never reached");
        }
        foreach (Counterexample c in r.Counterexamples)
        {
            string shape = c.CycleStart >= 0 ? $"{c.CycleStart} steps, then a fair cycle of {c.Steps.Count - c.CycleStart}"
                : c.EndsQuiescent ? $"{c.Steps.Count} steps, then stuck forever"
                : $"{c.Steps.Count} steps";
            output.WriteLine($"   counterexample {model.Invariants[c.Invariant].Code} ({c.Label}), {shape}, scenario {model.Scenarios[c.Scenario].Name}:");
            if (trace)
            {
                foreach (string line in TraceFormatter.Format(model, c, run.Options).TrimEnd('\n').Split('\n'))
                {
                    output.WriteLine("     " + line);
                }
            }
            else
            {
                output.WriteLine("     " + TraceFormatter.Compact(model, c));
                output.WriteLine("     => " + c.Reason);
            }
        }
        if (trace && r.GiveUpExample is not null)
        {
            output.WriteLine("   give-up example:");
            foreach (string line in TraceFormatter.Format(model, r.GiveUpExample, run.Options).TrimEnd('\n').Split('\n'))
            {
                output.WriteLine("     " + line);
            }
        }
        output.WriteLine(run.Matches
            ? run.Spec.DeliberatelyBroken ? "   verdict: caught, as a deliberately broken copy must be" : "   verdict: matches kernel history"
            : r.Complete ? "   verdict: DIFFERS from kernel history" : "   verdict: INCONCLUSIVE (bound hit or random walks): not a pass");
        output.WriteLine();
    }

    public static void WriteSummary(IReadOnlyList<VariantRun> runs, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentNullException.ThrowIfNull(output);
        output.WriteLine($"{"variant",-26} {"states",12} {"time",8}  {"result",-12} verdicts");
        foreach (VariantRun run in runs)
        {
            string verdicts = string.Join("  ", run.Outcomes.Select(o =>
                o.Code + "=" + (o.Holds switch { true => "ok", false => "x(" + string.Join(",", o.Labels) + ")", null => "?" })));
            string result = run.Matches ? "matches" : run.Result.Complete ? "DIFFERS" : "INCONCLUSIVE";
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{run.Spec.Name,-26} {run.Result.States,12:N0} {run.Result.Elapsed.TotalSeconds,7:0.00}s  {result,-12} {verdicts}"));
        }
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{"total",-26} {runs.Sum(r => r.Result.States),12:N0} {runs.Sum(r => r.Result.Elapsed.TotalSeconds),7:0.00}s"));
    }
}
