using Reapd.Model;
using Reapd.Model.Exploration;
using Reapd.Model.Kernel;

namespace Reapd.Model.Tests;

public sealed class KernelVariantTests
{
    [Theory]
    [InlineData("4.13", "L1", "1a")]
    [InlineData("4.13", "N1", "1a")]
    [InlineData("4.13", "N1", "1b")]
    [InlineData("naive", "S1", "2")]
    [InlineData("4.14-merged", "S1", "2b")]
    [InlineData("5.17-rc", "S1", "5")]
    public void A_buggy_variant_breaks_the_invariant_kernel_history_says_it_breaks(string variant, string code, string label)
    {
        VariantRun run = ExploredRuns.Of(variant);

        Assert.True(run.Result.Complete);
        InvariantOutcome outcome = run.Outcome(code);
        Assert.False(outcome.Holds);
        Assert.Contains(label, outcome.Labels);
        Assert.True(run.Matches, Verdicts(run));
    }

    [Theory]
    [InlineData("4.13")]
    [InlineData("naive")]
    [InlineData("4.14-merged")]
    [InlineData("5.17-rc")]
    [InlineData("4.14-no-lock-cycle")]
    [InlineData("4.14-no-select-abort")]
    [InlineData("4.13-no-mmget")]
    public void Every_counterexample_of_a_buggy_variant_replays_to_the_same_violation(string variant)
    {
        VariantRun run = ExploredRuns.Of(variant);
        Assert.NotEmpty(run.Result.Counterexamples);

        foreach (Counterexample c in run.Result.Counterexamples)
        {
            string trace = TraceFormatter.Format(run.Model, c, run.Options);
            ReplayResult replay = TraceReplayer.Replay(trace);

            Assert.Null(replay.Error);
            Assert.True(replay.Reproduced, trace);
            Assert.Equal(TraceFormatter.Title(run.Model, c), replay.Found);
            Assert.Equal(trace, replay.Trace);
        }
    }

    [Theory]
    [InlineData("4.14")]
    [InlineData("5.17")]
    [InlineData("6.x")]
    public void A_safe_protocol_holds_in_its_whole_bounded_state_space(string variant)
    {
        VariantRun run = ExploredRuns.Of(variant);

        Assert.True(run.Result.Complete);
        Assert.True(run.Result.LivenessChecked);
        Assert.Empty(run.Result.Counterexamples);
        Assert.All(run.Outcomes, o => Assert.True(o.Holds, o.Code));
        Assert.True(run.Matches);
    }

    [Fact]
    public void The_6_x_exploration_covers_process_mrelease_and_the_stuck_write_lock()
    {
        VariantRun run = ExploredRuns.Of("6.x");

        Assert.Contains(run.Model.Scenarios, s => s.Name.Contains("mrelease=1", StringComparison.Ordinal));
        Assert.Contains(run.Model.Scenarios, s => s.Name.Contains("thread2=1", StringComparison.Ordinal));
        Assert.True(run.Result.States > 100_000, $"only {run.Result.States} states");
    }

    [Fact]
    public void The_4_13_leak_is_a_victim_stuck_in_exit_aio_with_the_reaper_gone()
    {
        Counterexample leak = Assert.Single(ExploredRuns.Of("4.13").Result.Counterexamples, c => c.Label == "1a" && c.Invariant == KernelModel.L1);
        VariantRun run = ExploredRuns.Of("4.13");

        Assert.True(leak.IsLasso);
        UInt128 end = Replay(run.Model, leak);
        Dictionary<string, string> state = Describe(run.Model, end);
        Assert.Equal("in flight", state["aio"]);
        Assert.Equal("V.exit_aio (blocked)", state["__mmput"]);
        Assert.Equal("2/2", state["anon"]);
        Assert.Contains("OOM_SKIP", state["flags"], StringComparison.Ordinal);
        Assert.DoesNotContain("gave up", state["R"], StringComparison.Ordinal);
    }

    [Fact]
    public void The_4_14_merged_use_after_free_needs_a_reference_holder_that_runs_exit_mmap()
    {
        VariantRun run = ExploredRuns.Of("4.14-merged");
        Counterexample uaf = Assert.Single(run.Result.Counterexamples);

        Assert.Contains("holder=1", run.Model.Scenarios[uaf.Scenario].Name, StringComparison.Ordinal);
        var steps = StepNames(run.Model, uaf);
        Assert.Contains("H.mmput", steps);
        Assert.Contains("H.free_pgtables", steps);
        Assert.DoesNotContain("H.mmap_write_lock", steps);
        Assert.StartsWith("R.", steps[^1], StringComparison.Ordinal);
    }

    [Fact]
    public void The_reaper_giving_up_is_reported_apart_and_is_not_a_violation()
    {
        VariantRun run = ExploredRuns.Of("4.14");

        Assert.True(run.Result.GiveUpStates > 0);
        Counterexample example = Assert.IsType<Counterexample>(run.Result.GiveUpExample);
        Assert.True(run.Model.GaveUp(Replay(run.Model, example)));
        ReplayResult replay = TraceReplayer.Replay(TraceFormatter.Format(run.Model, example, run.Options));
        Assert.True(replay.Reproduced, replay.Error);
        Assert.True(run.Outcome("L1").Holds);
        Assert.True(run.Outcome("N1").Holds);
    }

    [Fact]
    public void Removing_the_lock_cycle_from_the_safe_protocol_is_caught_as_a_use_after_free()
    {
        VariantRun run = ExploredRuns.Of("4.14-no-lock-cycle");

        Assert.True(run.Spec.DeliberatelyBroken);
        Assert.False(run.Outcome("S1").Holds);
        Assert.True(run.Matches);
    }

    [Fact]
    public void A_reaper_that_drops_a_reference_it_never_took_is_caught_by_the_refcount_check()
    {
        VariantRun run = ExploredRuns.Of("4.13-no-mmget");

        Assert.False(run.Outcome("S2").Holds);
        Assert.True(run.Matches);
        Assert.False(ExploredRuns.Spec("4.13-no-mmget").InAll);
    }

    [Fact]
    public void Removing_the_select_abort_is_caught_as_a_spurious_kill()
    {
        VariantRun run = ExploredRuns.Of("4.14-no-select-abort");

        Assert.False(run.Outcome("N1").Holds);
        Assert.False(run.Outcome("N2").Holds);
        Assert.True(run.Outcome("S1").Holds);
        Assert.True(run.Matches);
    }

    [Fact]
    public void A_run_that_hits_its_state_bound_is_inconclusive_never_a_pass()
    {
        VariantRun run = ModelCheck.Explore(ExploredRuns.Spec("4.14"), ModelOptions.Default, maxStates: 500);

        Assert.False(run.Result.Complete);
        Assert.False(run.Result.LivenessChecked);
        Assert.All(run.Outcomes, o => Assert.Null(o.Holds));
        Assert.False(run.Matches);
    }

    [Fact]
    public void With_the_kernels_ten_retries_the_fixed_protocol_still_holds()
    {
        VariantRun run = ModelCheck.Explore(ExploredRuns.Spec("4.14"), new ModelOptions(10));

        Assert.True(run.Result.Complete);
        Assert.True(run.Matches, Verdicts(run));
        Assert.True(run.Result.States > ExploredRuns.Of("4.14").Result.States);
    }

    [Fact]
    public void Random_walks_find_the_naive_use_after_free_and_the_same_seed_finds_the_same_trace()
    {
        VariantSpec spec = ExploredRuns.Spec("naive");
        VariantRun first = ModelCheck.Walk(spec, ModelOptions.Default, seed: 42, walks: 300, maxDepth: 100);
        VariantRun second = ModelCheck.Walk(spec, ModelOptions.Default, seed: 42, walks: 300, maxDepth: 100);

        Assert.False(first.Result.Complete);
        Assert.False(first.Outcome("S1").Holds);
        Assert.Null(first.Outcome("L1").Holds);
        Assert.False(first.Matches);
        Assert.Equal(first.Result.Counterexamples.Count, second.Result.Counterexamples.Count);
        for (int i = 0; i < first.Result.Counterexamples.Count; i++)
        {
            Assert.Equal(first.Result.Counterexamples[i].Steps, second.Result.Counterexamples[i].Steps);
            Assert.True(TraceReplayer.Replay(TraceFormatter.Format(first.Model, first.Result.Counterexamples[i], first.Options)).Reproduced);
        }
    }

    internal static UInt128 Replay(IProtocolModel model, Counterexample c)
    {
        UInt128 state = model.Scenarios[c.Scenario].Initial;
        foreach (int actor in c.Steps)
        {
            Assert.NotNull(model.StepName(state, actor));
            state = model.Apply(state, actor).Next;
        }
        return state;
    }

    internal static Dictionary<string, string> Describe(IProtocolModel model, UInt128 state)
    {
        var fields = new List<KeyValuePair<string, string>>();
        model.Describe(state, fields);
        return new Dictionary<string, string>(fields, StringComparer.Ordinal);
    }

    private static List<string> StepNames(IProtocolModel model, Counterexample c)
    {
        var names = new List<string>();
        UInt128 state = model.Scenarios[c.Scenario].Initial;
        foreach (int actor in c.Steps)
        {
            names.Add(model.StepName(state, actor)!);
            state = model.Apply(state, actor).Next;
        }
        return names;
    }

    private static string Verdicts(VariantRun run) => string.Join("; ", run.Outcomes.Select(o => $"{o.Code} {o.Verdict}"));
}
