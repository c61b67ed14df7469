using Reapd.Model.Exploration;

namespace Reapd.Model.Tests;

public sealed class LivenessCheckTests
{
    [Fact]
    public void A_fair_actor_that_is_always_enabled_cannot_be_passed_over_forever()
    {
        ExplorationResult result = Explorer.Explore(new ToyModel(hasToggler: true, finisherFair: true, finishOnlyWhenX: false));

        Assert.True(result.LivenessChecked);
        Assert.Empty(result.Counterexamples);
    }

    [Fact]
    public void Weak_fairness_lets_an_actor_that_is_only_enabled_now_and_then_be_passed_over()
    {
        ExplorationResult result = Explorer.Explore(new ToyModel(hasToggler: true, finisherFair: true, finishOnlyWhenX: true));

        Counterexample c = Assert.Single(result.Counterexamples);
        Assert.True(c.CycleStart >= 0);
        Assert.False(c.EndsQuiescent);
        AssertClosedCycle(new ToyModel(true, true, true), c);
    }

    [Fact]
    public void An_unfair_environment_step_may_never_happen_so_a_cycle_without_it_is_a_violation()
    {
        var model = new ToyModel(hasToggler: true, finisherFair: false, finishOnlyWhenX: false);
        ExplorationResult result = Explorer.Explore(model);

        Counterexample c = Assert.Single(result.Counterexamples);
        Assert.True(c.CycleStart >= 0);
        AssertClosedCycle(model, c);
    }

    [Fact]
    public void A_state_where_only_the_environment_could_move_is_a_violation_that_stays_forever()
    {
        ExplorationResult result = Explorer.Explore(new ToyModel(hasToggler: false, finisherFair: false, finishOnlyWhenX: false));

        Counterexample c = Assert.Single(result.Counterexamples);
        Assert.True(c.EndsQuiescent);
        Assert.Empty(c.Steps);
    }

    private static void AssertClosedCycle(IProtocolModel model, Counterexample c)
    {
        UInt128 state = model.Scenarios[c.Scenario].Initial;
        UInt128 cycleStart = state;
        for (int i = 0; i < c.Steps.Count; i++)
        {
            if (i == c.CycleStart)
            {
                cycleStart = state;
            }
            Assert.NotNull(model.StepName(state, c.Steps[i]));
            state = model.Apply(state, c.Steps[i]).Next;
            Assert.True(model.LivenessPending(state));
        }
        Assert.Equal(cycleStart, state);
        Assert.True(c.Steps.Count > c.CycleStart);
    }
}
