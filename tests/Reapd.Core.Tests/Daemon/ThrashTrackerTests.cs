using Reapd.Core.Daemon;
using Reapd.Testing;

namespace Reapd.Core.Tests.Daemon;

/// <summary>
/// The thrash condition's sensing side: the full-stall share of a short window, the refault rate and (where the kernel
/// counts the swap traffic) the swap-ins per 100 swap-outs, all at or above their levels at every sample for the
/// condition to hold; the counters read only while the scope stalls.
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

    [Fact]
    public void A_stall_that_began_after_a_gap_in_the_readings_counts_at_its_share_of_the_window()
    {
        // Readings at 0 and 1 s, then none for 9 s (quiet wake-ups that left the pressure file unread).
        ThrashTracker tracker = Tracker();
        tracker.Observe(0, 0, 0);
        tracker.Observe(1000, 0, 0);
        // A full stall began 500 ms before the reading at 10 s and went on: 850 ms of it in the 850 ms since.
        tracker.Observe(10_000, 500_000, 1000);
        tracker.Observe(10_850, 1_350_000, 1500);
        // The average since the newest point a window old (1 s) would be 1.35 s of 9.85 s, 14 %; the stall since the
        // oldest point inside the window is 850 ms of the 1 s window.
        Assert.Equal(85, tracker.FullPercent, 3);
        // Likewise the refaults: 1500 since the count at 1 s is 152 a second over 9.85 s; the 500 since the count at
        // 10 s, inside the window, are at least 500 in the window.
        Assert.Equal(500, tracker.RefaultsPerSecond, 3);
        Assert.Equal(0, tracker.HeldMs);
        tracker.Observe(11_100, 1_600_000, 1800);
        Assert.Equal(250, tracker.HeldMs);
    }

    [Fact]
    public void After_a_gap_the_swap_in_share_is_the_windows_not_the_gaps()
    {
        // Readings at 0 and 1 s, then none for 9 s, in which 10,000 cold pages went out to swap and none came back.
        ThrashTracker tracker = Tracker();
        tracker.Observe(0, 0, 0, 0, 0);
        tracker.Observe(1000, 0, 0, 0, 0);
        tracker.Observe(10_000, 500_000, 1000, 0, 10_000);
        // Then a thrash: in the 850 ms since, 500 pages back in for every 1,000 out, and 500 refaults.
        tracker.Observe(10_850, 1_350_000, 1500, 500, 11_000);
        // Measured from the count at 1 s the share would be 500 of 11,000 (4.5 %, under the 5 % the condition needs:
        // the gap's push-out vetoing the thrash); inside the window it is 500 of 1,000.
        Assert.Equal(50, tracker.SwapInPercent, 3);
        Assert.Equal(0, tracker.HeldMs);
    }

    [Fact]
    public void A_push_out_read_a_little_over_a_window_apart_is_never_taken_for_a_thrash()
    {
        // Readings 1,001 ms apart (a 1 s interval and the cycle's own time): the point a window old is the last one, and
        // the oldest count inside the window is this very reading. A push-out to zram: 50 % full stall, 400 refaults/s,
        // one page back for every 100 out — the swap-in share (1 %) must keep vetoing it at every reading.
        ThrashTracker tracker = Tracker();
        long t = 0, full = 0, refaults = 0, ins = 0, outs = 0;
        tracker.Observe(t, full, refaults, ins, outs);
        for (int i = 0; i < 10; i++)
        {
            t += 1001;
            full += 500_500;
            refaults += 400;
            ins += 40;
            outs += 4000;
            tracker.Observe(t, full, refaults, ins, outs);
            Assert.Equal(1, tracker.SwapInPercent, 3);
            Assert.Equal(-1, tracker.HeldMs);
        }
    }

    [Fact]
    public void The_first_reading_after_a_gap_in_a_push_out_keeps_the_veto()
    {
        ThrashTracker tracker = Tracker();
        tracker.Observe(0, 0, 0, 0, 0);
        tracker.Observe(1000, 0, 0, 0, 0);
        // 9 s of push-out at 90 % stall, 300 refaults/s, 1 page back per 100 out, read only now.
        tracker.Observe(10_000, 8_100_000, 2700, 270, 27_000);
        Assert.Equal(1, tracker.SwapInPercent, 3);
        Assert.Equal(-1, tracker.HeldMs);
    }

    [Fact]
    public void Without_a_gap_the_share_is_the_average_over_the_window()
    {
        ThrashTracker tracker = Tracker();
        tracker.Observe(0, 0, 0);
        tracker.Observe(1000, 300_000, 0);
        // 100 ms of stall in the 200 ms since the last reading; the point at 0 is the newest a window old.
        tracker.Observe(1200, 400_000, 0);
        Assert.Equal(400 / 12.0, tracker.FullPercent, 3);
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

    // A sample every 250 ms with swap counts: stalledMs of it fully stalled, refaulted anonymous pages, and that many
    // pages swapped in and out.
    private static void Run(ThrashTracker tracker, ref long t, ref long full, ref long refaults, ref long ins, ref long outs, int steps,
        long stalledMs, long refaulted, long swappedIn, long swappedOut)
    {
        for (int i = 0; i < steps; i++)
        {
            t += 250;
            full += stalledMs * 1000;
            refaults += refaulted;
            ins += swappedIn;
            outs += swappedOut;
            if (tracker.NeedsRefaults(full))
            {
                tracker.Observe(t, full, refaults, ins, outs);
            }
            else
            {
                tracker.Observe(t, full, -1, -1, -1);
            }
        }
    }

    [Theory]
    [InlineData(100, 2500, false)] // the guests' push-out to zram: at most about 1 page back per 100 out
    [InlineData(124, 2500, false)] // 4.96 per 100: below the level
    [InlineData(125, 2500, true)]  // 5 per 100
    [InlineData(1000, 2500, true)] // 40 per 100: a working set cycling through swap
    [InlineData(3000, 2500, true)] // more in than out (memory came free): 100, the most it reports
    public void Refaults_count_as_thrash_only_while_swap_ins_keep_up_with_swap_outs(long swappedInPerStep, long swappedOutPerStep, bool holds)
    {
        ThrashTracker tracker = Tracker();
        long t = 0, full = 0, refaults = 0, ins = 0, outs = 0;
        tracker.Observe(t, full, refaults, ins, outs);
        // 50 % stalled and 400 anonymous refaults a second throughout: only the swap traffic differs.
        Run(tracker, ref t, ref full, ref refaults, ref ins, ref outs, 8, 125, 100, swappedInPerStep, swappedOutPerStep);
        Assert.Equal(Math.Min(100, swappedInPerStep * 100.0 / swappedOutPerStep), tracker.SwapInPercent, 3);
        Assert.Equal(400, tracker.RefaultsPerSecond, 3);
        Assert.Equal(holds, tracker.HeldMs >= 0);
    }

    [Fact]
    public void Without_swap_counts_the_stall_and_the_refaults_decide_alone()
    {
        // A cgroup's memory.stat before 6.13 counts no swap traffic.
        ThrashTracker tracker = Tracker();
        long t = 0, full = 0, refaults = 0, ins = -1, outs = -1;
        tracker.Observe(t, full, refaults, ins, outs);
        Run(tracker, ref t, ref full, ref refaults, ref ins, ref outs, 8, 125, 100, 0, 0);
        Assert.Equal(-1, tracker.SwapInPercent);
        Assert.True(tracker.HeldMs >= 1000);
    }

    [Fact]
    public void A_window_without_any_swap_traffic_has_no_share()
    {
        // Anonymous refaults with neither swap-ins nor swap-outs counted is nothing the counters explain: the share is
        // unknown and does not veto the refaults.
        ThrashTracker tracker = Tracker();
        long t = 0, full = 0, refaults = 0, ins = 0, outs = 0;
        tracker.Observe(t, full, refaults, ins, outs);
        Run(tracker, ref t, ref full, ref refaults, ref ins, ref outs, 8, 125, 100, 0, 0);
        Assert.Equal(-1, tracker.SwapInPercent);
        Assert.True(tracker.HeldMs >= 0);
    }

    [Fact]
    public void A_push_out_that_turns_into_a_working_set_coming_back_holds_once_the_pages_return()
    {
        // The shape of the guests' zram-thrash recording: first a push-out (a hard stall, pages only going out), then
        // the same pages coming back while others go out.
        ThrashTracker tracker = Tracker();
        long t = 0, full = 0, refaults = 0, ins = 0, outs = 0;
        tracker.Observe(t, full, refaults, ins, outs);
        Run(tracker, ref t, ref full, ref refaults, ref ins, ref outs, 12, 180, 0, 0, 3000);
        Assert.Equal(-1, tracker.HeldMs);
        Assert.True(tracker.FullPercent >= 70);
        Run(tracker, ref t, ref full, ref refaults, ref ins, ref outs, 8, 160, 1000, 1000, 2500);
        Assert.True(tracker.HeldMs >= 1000);
    }

    [Fact]
    public void Restart_forgets_the_swap_in_share()
    {
        ThrashTracker tracker = Tracker();
        long t = 0, full = 0, refaults = 0, ins = 0, outs = 0;
        tracker.Observe(t, full, refaults, ins, outs);
        Run(tracker, ref t, ref full, ref refaults, ref ins, ref outs, 8, 125, 100, 1000, 2500);
        Assert.Equal(40, tracker.SwapInPercent, 3);
        tracker.Restart();
        Assert.Equal(-1, tracker.SwapInPercent);
    }

    [Fact]
    public void Observing_allocates_nothing()
    {
        ThrashTracker tracker = Tracker();
        long t = 0, full = 0, refaults = 0;
        long ins = 0, outs = 0;
        Run(tracker, ref t, ref full, ref refaults, 200, 200, 200);
        Run(tracker, ref t, ref full, ref refaults, ref ins, ref outs, 200, 200, 200, 100, 200);
        // The same 1000 observations of each kind, in pieces of 10 measured on their own (ThreadAllocation); a piece
        // run again observes 10 more.
        Assert.Equal(0, ThreadAllocation.Measure(100, () => Run(tracker, ref t, ref full, ref refaults, 10, 200, 200)));
        Assert.Equal(0, ThreadAllocation.Measure(100, () => Run(tracker, ref t, ref full, ref refaults, ref ins, ref outs, 10, 200, 200, 100, 200)));
    }
}
