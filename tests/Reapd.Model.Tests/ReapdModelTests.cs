using Reapd.Model;
using Reapd.Model.Exploration;

namespace Reapd.Model.Tests;

public sealed class ReapdModelTests
{
    [Fact]
    public void Reapds_own_protocol_holds_against_exit_stuck_sharing_and_pid_reuse()
    {
        VariantRun run = ExploredRuns.Of("reapd");

        Assert.True(run.Result.Complete);
        Assert.True(run.Result.LivenessChecked);
        Assert.Empty(run.Result.Counterexamples);
        Assert.All(run.Outcomes, o => Assert.True(o.Holds, o.Code));
        Assert.Equal(8, run.Model.Scenarios.Count);
    }

    [Fact]
    public void A_victim_stuck_in_exit_aio_is_escalated_and_reported_apart()
    {
        VariantRun run = ExploredRuns.Of("reapd");

        Counterexample example = Assert.IsType<Counterexample>(run.Result.GiveUpExample);
        Assert.Contains("aio=1", run.Model.Scenarios[example.Scenario].Name, StringComparison.Ordinal);
        UInt128 end = KernelVariantTests.Replay(run.Model, example);
        Dictionary<string, string> state = KernelVariantTests.Describe(run.Model, end);
        Assert.Equal("charged", state["memory"]);
        Assert.Equal("open (escalated)", state["gate"]);
    }

    [Fact]
    public void A_settle_gate_that_trusts_esrch_or_a_readable_pidfd_is_caught_killing_a_second_victim()
    {
        VariantRun run = ExploredRuns.Of("reapd-broken-settle-gate");

        InvariantOutcome p2 = run.Outcome("P2");
        Assert.False(p2.Holds);
        Assert.Contains("esrch", p2.Labels);
        Assert.Contains("exited", p2.Labels);
        Assert.True(run.Outcome("P1").Holds);
        Assert.True(run.Matches);
    }

    [Fact]
    public void Checking_the_start_time_before_opening_the_pidfd_is_caught_signalling_a_reused_pid()
    {
        VariantRun run = ExploredRuns.Of("reapd-broken-pid-check");

        Counterexample c = Assert.Single(run.Result.Counterexamples);
        Assert.Equal("P1", run.Model.Invariants[c.Invariant].Code);
        string trace = TraceFormatter.Format(run.Model, c, run.Options);
        Assert.Contains("N.fork_reuses_pid", trace, StringComparison.Ordinal);
        Assert.True(TraceReplayer.Replay(trace).Reproduced);
    }

    [Fact]
    public void Not_killing_the_processes_that_share_the_mm_is_caught_waiting_forever()
    {
        VariantRun run = ExploredRuns.Of("reapd-no-sharer-kill");

        Counterexample c = Assert.Single(run.Result.Counterexamples);
        Assert.Equal("L2", run.Model.Invariants[c.Invariant].Code);
        Assert.True(c.IsLasso);
        Assert.True(TraceReplayer.Replay(TraceFormatter.Format(run.Model, c, run.Options)).Reproduced);
    }
}
