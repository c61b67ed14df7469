using Reapd.Core.Daemon;

namespace Reapd.Core.Tests.Daemon;

/// <summary>
/// The thrash condition's sensing side: the full-stall share of a short window and the refault rate, both at or
/// above their levels at every sample for the condition to hold; refaults counted only while the scope stalls.
/// </summary>
public sealed class ThrashTrackerTests
{
    // 1 s window, 40 % full stall, 250 refaults/s (the defaults); a sample every 250 ms.
    private static ThrashTracker Tracker() => new(1000, 40, 250);

    private static void Step(ThrashTracker tracker, ref long timeMs, ref long fullUs, ref long refaults, long stalledMs, long refaulted)
    {
        timeMs += 250;
        fullUs += stalledMs * 1000;
        refaults += refaulted;
        tracker.Observe(timeMs, fullUs, tracker.NeedsRefaults(fullUs) ? refaults : -1);
    }

    private static ThrashTracker Run(ThrashTracker tracker, ref long t, ref long full, ref long refaults, int steps, long stalledMs, long refaulted)
    {
        for (int i = 0; i < steps; i++)
        {
            Step(tracker, ref t, ref full, ref refaults, stalledMs, refaulted);
        }
        return tracker;
    }

    [Fact]
    public void A_stall_while_refaulting_holds_once_a_whole_window_shows_both()
    {
        ThrashTracker tracker = Tracker();
        long t = 0, full = 0, refaults = 0;
        tracker.Observe(t, full, refaults);
        Run(tracker, ref t, ref full, ref refaults, 4, 0, 0);
        Assert.Equal(-1, tracker.HeldMs);
        // 50 % stalled, 100 refaults a step = 400 a second.
        Run(tracker, ref t, ref full, ref refaults, 4, 125, 100);
        Assert.Equal(50, tracker.FullPercent, 3);
        Assert.Equal(400, tracker.RefaultsPerSecond, 3);
        Assert.Equal(0, tracker.HeldMs);
        Run(tracker, ref t, ref full, ref refaults, 4, 125, 100);
        Assert.Equal(1000, tracker.HeldMs);
    }

    [Theory]
    [InlineData(100, 100, true)]  // 40 % of the window stalled, 400 refaults/s: both at their levels
    [InlineData(99, 100, false)]  // 39.6 %: the stall is below its level
    [InlineData(100, 62, false)]  // 248 refaults/s: the refaults are below theirs
    [InlineData(100, 63, true)]   // 252 refaults/s
    [InlineData(250, 0, false)]   // a full stall with nothing faulted back: reclaim making room (swap-out), not thrash
    [InlineData(0, 1000, false)]  // refaults with nobody stalled: a busy machine reading back its cache
    public void Both_the_stall_and_the_refaults_must_reach_their_levels(long stalledMsPerStep, long refaultsPerStep, bool holds)
    {
        ThrashTracker tracker = Tracker();
        long t = 0, full = 0, refaults = 0;
        tracker.Observe(t, full, refaults);
        Run(tracker, ref t, ref full, ref refaults, 8, stalledMsPerStep, refaultsPerStep);
        Assert.Equal(holds, tracker.HeldMs >= 0);
    }

    [Fact]
    public void A_window_below_the_level_restarts_the_duration()
    {
        ThrashTracker tracker = Tracker();
        long t = 0, full = 0, refaults = 0;
        tracker.Observe(t, full, refaults);
        Run(tracker, ref t, ref full, ref refaults, 8, 200, 200);
        Assert.True(tracker.HeldMs >= 1000);
        // A second of barely any stall: the share of the window falls below 40 %.
        Run(tracker, ref t, ref full, ref refaults, 4, 10, 200);
        Assert.Equal(-1, tracker.HeldMs);
        Run(tracker, ref t, ref full, ref refaults, 4, 200, 200);
        Assert.InRange(tracker.HeldMs, 0, 750);
    }

    [Fact]
    public void Refaults_are_read_only_while_the_full_stall_counter_moves_and_once_after()
    {
        ThrashTracker tracker = Tracker();
        Assert.True(tracker.NeedsRefaults(0)); // the first reading: nothing to compare with
        tracker.Observe(0, 0, 5);
        Assert.False(tracker.NeedsRefaults(0)); // nothing stalled since
        tracker.Observe(250, 0, -1);
        Assert.True(tracker.NeedsRefaults(1000)); // a full stall since the newest point
        tracker.Observe(500, 1000, 7);
        Assert.True(tracker.NeedsRefaults(1000)); // once after: the stall's last window needs a count at its end
        tracker.Observe(750, 1000, 8);
        Assert.False(tracker.NeedsRefaults(1000));
    }

    [Fact]
    public void Without_refault_counts_at_the_start_of_a_stall_the_rate_comes_from_the_first_counted_reading()
    {
        ThrashTracker tracker = Tracker();
        long t = 0, full = 0, refaults = 1_000_000;
        tracker.Observe(t, full, refaults);
        Run(tracker, ref t, ref full, ref refaults, 8, 0, 0); // quiet: not counted
        Assert.False(tracker.NeedsRefaults(full));
        Run(tracker, ref t, ref full, ref refaults, 1, 200, 200); // the first stalled reading: counted, no span yet
        Assert.Equal(-1, tracker.RefaultsPerSecond);
        Run(tracker, ref t, ref full, ref refaults, 1, 200, 200); // a quarter window since the first count
        Assert.Equal(800, tracker.RefaultsPerSecond, 3);
    }

    [Fact]
    public void Restart_forgets_the_window()
    {
        ThrashTracker tracker = Tracker();
        long t = 0, full = 0, refaults = 0;
        tracker.Observe(t, full, refaults);
        Run(tracker, ref t, ref full, ref refaults, 8, 200, 200);
        Assert.True(tracker.HeldMs >= 0);
        tracker.Restart();
        Assert.Equal((-1.0, -1.0, -1L), (tracker.FullPercent, tracker.RefaultsPerSecond, tracker.HeldMs));
        Run(tracker, ref t, ref full, ref refaults, 3, 200, 200);
        Assert.Equal(-1, tracker.HeldMs); // not yet a whole window since the restart
    }

    [Fact]
    public void A_refault_counter_that_goes_back_counts_as_no_refaults()
    {
        ThrashTracker tracker = Tracker();
        tracker.Observe(0, 0, 10_000);
        tracker.Observe(500, 500_000, 5_000);
        tracker.Observe(1000, 1_000_000, 4_000);
        Assert.Equal(0, tracker.RefaultsPerSecond);
        Assert.Equal(-1, tracker.HeldMs);
    }

    [Fact]
    public void Observing_allocates_nothing()
    {
        ThrashTracker tracker = Tracker();
        long t = 0, full = 0, refaults = 0;
        Run(tracker, ref t, ref full, ref refaults, 200, 200, 200);
        long before = GC.GetAllocatedBytesForCurrentThread();
        Run(tracker, ref t, ref full, ref refaults, 1000, 200, 200);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
