using Reapd.Core.Daemon;
using Reapd.Core.Decision;
using Reapd.Model;
using Reapd.Model.Daemon;
using Reapd.Model.Exploration;

namespace Reapd.Model.Tests;

/// <summary>The production decision core explored against the actuator and kernel models, and its broken copies caught.</summary>
public sealed class DaemonModelTests
{
    [Fact]
    public void The_production_core_never_signals_a_stranger_never_kills_a_second_victim_early_and_never_throws()
    {
        VariantRun run = ExploredRuns.Of("reapd");

        Assert.True(run.Result.Complete);
        Assert.Equal(11, run.Model.Scenarios.Count);
        Assert.True(run.Outcome("P1").Holds);
        Assert.True(run.Outcome("P2").Holds);
        Assert.True(run.Outcome("P3").Holds);
    }

    /// <summary>
    /// Fails until the core passes over a reaped victim that lingers (see Reapd.Core.Tests ModelFoundTests): today
    /// the model finds the lasso in exit=fuse-stuck shmem=1.
    /// </summary>
    [Fact]
    public void Under_lasting_pressure_the_production_core_eventually_relieves_it()
    {
        VariantRun run = ExploredRuns.Of("reapd");

        Assert.True(run.Result.LivenessChecked);
        Assert.True(run.Outcome("L2").Holds, string.Join("\n", run.Result.Counterexamples.Select(c => TraceFormatter.Format(run.Model, c, run.Options))));
    }

    [Fact]
    public void The_production_exploration_goes_through_every_path_its_verdicts_depend_on()
    {
        VariantRun run = ExploredRuns.Of("reapd");
        var model = (DaemonModel)run.Model;

        DaemonEvent[] missed = [.. Enum.GetValues<DaemonEvent>().Where(e => !model.Reached(e))];
        Assert.Equal([], missed);
    }

    [Fact]
    public void The_bounded_timeout_and_the_stuck_verdict_are_reached_and_reported_apart()
    {
        VariantRun run = ExploredRuns.Of("reapd");

        Counterexample example = Assert.IsType<Counterexample>(run.Result.GiveUpExample);
        UInt128 end = KernelVariantTests.Replay(run.Model, example);
        Dictionary<string, string> state = KernelVariantTests.Describe(run.Model, end);
        Assert.Matches(@"\((Timeout|StuckInMmput)\)$", state["previous"]);
        Assert.Contains("A", state["excluded"], StringComparison.Ordinal);
    }

    [Fact]
    public void A_settle_gate_that_trusts_esrch_or_the_victims_pidfd_alone_is_caught_choosing_a_second_victim()
    {
        VariantRun run = ExploredRuns.Of("reapd-broken-settle-gate");

        InvariantOutcome p2 = run.Outcome("P2");
        Assert.False(p2.Holds);
        Assert.Contains("after-reaped", p2.Labels);
        Assert.Contains("after-exited", p2.Labels);
        Assert.True(run.Outcome("P1").Holds);
        Assert.True(p2.Matches);
        Counterexample c = run.Result.Counterexamples.First(c => c.Label == "after-reaped");
        string trace = TraceFormatter.Format(run.Model, c, run.Options);
        Assert.Contains("OnReapAnswered(Released)", trace, StringComparison.Ordinal);
        Assert.Contains("ESRCH", trace, StringComparison.Ordinal);
        Assert.True(TraceReplayer.Replay(trace).Reproduced);
    }

    [Fact]
    public void Checking_the_start_time_before_pidfd_open_is_caught_signalling_the_process_that_reused_the_pid()
    {
        VariantRun run = ExploredRuns.Of("reapd-broken-pid-check");

        Assert.Equal(["reused-pid"], run.Outcome("P1").Labels);
        Assert.True(run.Outcome("P2").Holds);
        Counterexample c = run.Result.Counterexamples.First(c => c.Label == "reused-pid");
        string trace = TraceFormatter.Format(run.Model, c, run.Options);
        Assert.True(trace.IndexOf("D.check_start", StringComparison.Ordinal) < trace.IndexOf("N_fork.takes_the_pid", StringComparison.Ordinal));
        Assert.True(trace.IndexOf("N_fork.takes_the_pid", StringComparison.Ordinal) < trace.IndexOf("D.pidfd_open", StringComparison.Ordinal));
        Assert.True(TraceReplayer.Replay(trace).Reproduced);
    }

    [Fact]
    public void Sigkilling_sharers_without_the_kcmp_recheck_is_caught_killing_a_vfork_child_that_execd()
    {
        VariantRun run = ExploredRuns.Of("reapd-broken-sharer-recheck");

        Assert.Contains("exec'd-child", run.Outcome("P1").Labels);
        Assert.True(run.Outcome("P2").Holds);
        Counterexample c = run.Result.Counterexamples.First(c => c.Label == "exec'd-child");
        string trace = TraceFormatter.Format(run.Model, c, run.Options);
        Assert.Contains("V_exec.exec", trace, StringComparison.Ordinal);
        Assert.Contains("SIGKILL -> V", trace, StringComparison.Ordinal);
        Assert.True(TraceReplayer.Replay(trace).Reproduced);
    }

    [Fact]
    public void A_gate_without_timeout_or_stuck_verdict_is_caught_waiting_forever_on_memory_that_never_comes_back()
    {
        VariantRun run = ExploredRuns.Of("reapd-broken-no-timeout");

        Assert.Contains("gate", run.Outcome("L2").Labels);
        Assert.True(run.Outcome("P2").Holds);
        Counterexample c = run.Result.Counterexamples.First(c => c.Label == "gate");
        Assert.True(c.IsLasso);
        string trace = TraceFormatter.Format(run.Model, c, run.Options);
        Assert.Contains("core=Killed A", trace, StringComparison.Ordinal);
        Assert.True(TraceReplayer.Replay(trace).Reproduced);
    }

    [Fact]
    public void A_loop_that_answers_a_sigkill_once_per_process_is_caught_making_the_core_throw()
    {
        VariantRun run = ExploredRuns.Of("reapd-broken-double-answer");

        InvariantOutcome p3 = run.Outcome("P3");
        Assert.Equal(["InvalidOperationException"], p3.Labels);
        Assert.True(p3.Matches);
        Counterexample c = run.Result.Counterexamples.First(c => c.Label == "InvalidOperationException");
        string trace = TraceFormatter.Format(run.Model, c, run.Options);
        Assert.Contains("a signal outcome answered while the core waited for None", trace, StringComparison.Ordinal);
        Assert.True(TraceReplayer.Replay(trace).Reproduced);
    }

    [Fact]
    public void Every_daemon_step_of_a_trace_names_the_core_input_and_the_commands_it_produced()
    {
        VariantRun run = ExploredRuns.Of("reapd-broken-pid-check");

        string trace = TraceFormatter.Format(run.Model, run.Result.Counterexamples[0], run.Options);

        Assert.Contains("D.sample", trace, StringComparison.Ordinal);
        Assert.Matches(@"OnSample\(available \d+\); => report trigger \w+ \(\w+\); Scan \(Choose\)", trace);
        Assert.Matches(@"OnScanned\([^)]*\); => report choice A; Signal SIG(TERM|KILL) A", trace);
    }

    [Fact]
    public void The_cores_state_survives_the_models_canonical_form_unchanged_in_every_rule_input()
    {
        DaemonConfig config = ModelScale.Config(withoutTimeouts: false);
        DecisionState s = DecisionState.Initial;
        long now = ModelScale.BaseMs;
        s.Phase = VictimPhase.Killed;
        s.Victim = Processes.IdOf(Processes.B);
        s.HeldBytes = ModelScale.Bytes(3);
        s.KillSentMs = now - 2 * ModelScale.TickMs;
        s.TermSentMs = now - 9 * ModelScale.TickMs;
        s.Reap = ReapState.NoMm;
        s.ProgressAtMs = now - ModelScale.TickMs;
        s.ProgressAvailableBytes = ModelScale.Bytes(1);
        s.LastAvailableBytes = ModelScale.Bytes(1);
        s.LastTermLevelBytes = ModelScale.Bytes(2);
        s.NoCandidateUntilMs = now + ModelScale.TickMs;
        s.Exclusions.Add(Processes.IdOf(Processes.A));

        DecisionState back = CoreSnapshot.Of(s, now, config).ToState(now);

        Assert.Equal(s.Victim, back.Victim);
        Assert.Equal(s.KillSentMs, back.KillSentMs);
        Assert.Equal(now - config.GraceMs, back.TermSentMs); // clamped at the grace, the one deadline it meets
        Assert.Equal(s.ProgressAtMs, back.ProgressAtMs);
        Assert.Equal(s.NoCandidateUntilMs, back.NoCandidateUntilMs);
        Assert.True(back.Exclusions.Contains(Processes.IdOf(Processes.A)));
        Assert.Equal(CoreSnapshot.Of(s, now, config), CoreSnapshot.Of(back, now, config));
        Assert.Throws<ModelAbstractionException>(() => CoreSnapshot.Of(s with { HeldBytes = 12345 }, now, config));
    }
}
