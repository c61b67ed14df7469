using Reapd.Core.Daemon;
using Reapd.Core.Decision;
using static Reapd.Core.Tests.Decision.CoreDriver;

namespace Reapd.Core.Tests.Decision;

/// <summary>
/// A core that starts with a victim a previous instance left in flight (<see cref="DecisionCore.AdoptInFlight"/>): the
/// gate is closed for it from the first sample, its grace and settle timeout run from the original signal.
/// </summary>
public sealed class DecisionCoreAdoptionTests
{
    private static readonly VictimId Adopted = new(4242, 1000);

    [Fact]
    public void An_adopted_SIGKILLed_victim_is_reaped_again_and_nobody_else_is_chosen_before_it_settles()
    {
        var d = new CoreDriver();
        d.Core.AdoptInFlight(Adopted, VictimPhase.Killed, signalledMs: 900, heldBytes: 400 * MiB, availableBytes: 30 * MiB, nowMs: 1000);
        Assert.Equal("reap:4242", d.Sample(1000, 30).Words());
        Assert.Equal(VictimPhase.Killed, d.State.Phase);
        // Still at the kill level: no trigger, no scan, no second victim.
        Assert.Empty(d.Sample(1010, 20));
        Assert.Empty(d.ReapAnswered(1020, ReapObservation.Released));
        Assert.Contains("release:4242", d.Sample(1030, 400).Words());
        Assert.Equal(VictimPhase.None, d.State.Phase);
    }

    [Fact]
    public void An_adopted_SIGTERMed_victim_is_SIGKILLed_when_the_grace_that_began_before_the_restart_ends()
    {
        var d = new CoreDriver(new DaemonConfig { PsiFullPercent = null, GraceMs = 3000 });
        d.Core.AdoptInFlight(Adopted, VictimPhase.Terminating, signalledMs: 1000, heldBytes: 400 * MiB, availableBytes: 90 * MiB, nowMs: 2500);
        Assert.Empty(d.Sample(2500, 90));
        Assert.Empty(d.Sample(3900, 90));
        Assert.Equal("report:trigger signal:sigkill:4242", d.Sample(4000, 90).Words());
    }

    [Fact]
    public void An_adopted_SIGKILLed_victim_that_never_settles_is_let_go_at_the_timeout_counted_from_its_original_kill()
    {
        var d = new CoreDriver(new DaemonConfig { PsiFullPercent = null, SettleTimeoutMs = 5000 });
        d.Core.AdoptInFlight(Adopted, VictimPhase.Killed, signalledMs: 1000, heldBytes: 400 * MiB, availableBytes: 30 * MiB, nowMs: 4000);
        _ = d.Sample(4000, 30);
        _ = d.ReapAnswered(4010, ReapObservation.Refused);
        Assert.Empty(d.Sample(5900, 30));
        Assert.Contains("release:4242", d.Sample(6000, 30).Words());
    }

    [Fact]
    public void Only_an_idle_core_can_adopt_a_victim()
    {
        var d = new CoreDriver();
        d.Core.AdoptInFlight(Adopted, VictimPhase.Killed, 900, 400 * MiB, 30 * MiB, 1000);
        Assert.Throws<InvalidOperationException>(() => d.Core.AdoptInFlight(new VictimId(1, 1), VictimPhase.Killed, 900, 0, 0, 1000));
        Assert.Throws<InvalidOperationException>(() => new CoreDriver().Core.AdoptInFlight(Adopted, VictimPhase.None, 900, 0, 0, 1000));
    }
}
