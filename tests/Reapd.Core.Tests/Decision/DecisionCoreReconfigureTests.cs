using Reapd.Core.Daemon;
using Reapd.Core.Decision;
using static Reapd.Core.Tests.Decision.CoreDriver;

namespace Reapd.Core.Tests.Decision;

/// <summary>
/// A configuration reload (SIGHUP) swaps the core's settings and nothing else: the victim in flight stays in flight,
/// its gate stays closed, and its deadlines run from when they began, against the new values.
/// </summary>
public sealed class DecisionCoreReconfigureTests
{
    private static readonly VictimId Big = new(4242, 1000);
    private static readonly VictimId Small = new(4343, 2000);

    [Fact]
    public void A_reload_while_a_victim_is_killed_keeps_it_in_flight_and_chooses_no_second_victim()
    {
        var d = new CoreDriver(new DaemonConfig { PsiFullPercent = null, SettleTimeoutMs = 5000 });
        d.KillAt(1000, 40, Ranked(Big, 400), Ranked(Small, 300));
        var before = Gate(d.State);
        for (int i = 0; i < 20; i++)
        {
            // Levels that put every sample below the kill line, alternated: still no scan, no signal.
            d.Core.Reconfigure(new DaemonConfig { PsiFullPercent = null, SettleTimeoutMs = 5000, TermPercent = 30 + i % 2, KillPercent = 20 });
            Assert.Equal(before, Gate(d.State));
            Assert.DoesNotContain(d.Sample(1010 + (10 * i), 10), c => c.Kind is CommandKind.Scan or CommandKind.Signal);
        }
        Assert.Equal((VictimPhase.Killed, Big, ReapState.InFlight), (d.State.Phase, d.State.Victim, d.State.Reap));
        Assert.Equal(31, d.Core.Config.TermPercent);
        // The kill goes on to its end as before: the reaper's answer settles it.
        string words = d.ReapAnswered(1300, ReapObservation.Released).Words() + " " + d.Sample(1301, 10).Words();
        Assert.Contains("report:settled:reaped", words, StringComparison.Ordinal);
    }

    /// <summary>What the gate is: the victim, its phase, its reap, and when each step happened.</summary>
    private static (VictimPhase, VictimId, ReapState, long, long, long) Gate(in DecisionState s) =>
        (s.Phase, s.Victim, s.Reap, s.FirstSignalMs, s.KillSentMs, s.ReapAskedMs);

    [Fact]
    public void A_shorter_settle_timeout_counts_from_the_kill_not_from_the_reload()
    {
        var d = new CoreDriver(new DaemonConfig { PsiFullPercent = null, SettleTimeoutMs = 5000 });
        d.KillAt(1000, 40, Ranked(Big, 400));
        d.ReapAnswered(1100, ReapObservation.Refused);
        d.Sample(2500, 40);
        d.Core.Reconfigure(new DaemonConfig { PsiFullPercent = null, SettleTimeoutMs = 2000 });
        Assert.DoesNotContain("settled", d.Sample(2999, 40).Words());
        Assert.Contains("report:settled:timeout", d.Sample(3000, 40).Words());
    }

    [Fact]
    public void A_shorter_grace_counts_from_the_SIGTERM_and_the_SIGKILL_goes_to_the_same_victim()
    {
        var d = new CoreDriver(new DaemonConfig { PsiFullPercent = null, GraceMs = 3000 });
        d.Sample(1000, 90);
        d.Scanned(1000, Ranked(Big, 400));
        d.Signalled(1000, SignalResult.Sent);
        Assert.Empty(d.Sample(1500, 90));
        d.Core.Reconfigure(new DaemonConfig { PsiFullPercent = null, GraceMs = 1000 });
        Assert.Empty(d.Sample(1999, 90));
        Assert.Equal("report:trigger signal:sigkill:4242", d.Sample(2000, 90).Words());
    }

    [Fact]
    public void An_invalid_configuration_is_refused_and_the_old_one_stays()
    {
        var d = new CoreDriver();
        DaemonConfig old = d.Core.Config;
        Assert.Throws<ArgumentException>(() => d.Core.Reconfigure(new DaemonConfig { TermPercent = 5, KillPercent = 10 }));
        Assert.Same(old, d.Core.Config);
    }
}
