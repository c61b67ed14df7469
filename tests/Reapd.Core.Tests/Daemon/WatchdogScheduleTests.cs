using Reapd.Core.Daemon;

namespace Reapd.Core.Tests.Daemon;

public sealed class WatchdogScheduleTests
{
    [Fact]
    public void A_2_s_watchdog_pings_after_a_cycle_once_500_ms_passed_and_the_loop_wakes_within_1_s_of_the_last_ping()
    {
        var watchdog = new WatchdogSchedule(2_000_000, startMs: 10_000);
        Assert.Equal(500, watchdog.PingEveryMs);
        Assert.Equal(1000, watchdog.WakeWithinMs);
        Assert.False(watchdog.IsDue(10_499));
        Assert.True(watchdog.IsDue(10_500));
    }

    [Theory]
    // wanted wait, now (last ping at 10 000, 30 s watchdog: wake within 15 s), expected wait
    [InlineData(1000, 10_000, 1000)]      // the idle loop wakes every second anyway: no extra wake-up
    [InlineData(1000, 24_500, 500)]       // the deadline comes first
    [InlineData(10, 24_995, 5)]
    [InlineData(1000, 25_000, 0)]         // due now
    [InlineData(1000, 26_000, 0)]         // overdue (a long cycle): never negative
    public void The_loops_wait_is_cut_to_the_ping_deadline_and_only_then(int wantedMs, long nowMs, int expectedMs)
    {
        var watchdog = new WatchdogSchedule(30_000_000, startMs: 10_000);
        Assert.Equal(expectedMs, watchdog.CapWaitMs(wantedMs, nowMs));
    }

    [Fact]
    public void A_loop_waking_every_second_under_a_2_s_watchdog_pings_on_its_own_wake_ups()
    {
        var watchdog = new WatchdogSchedule(2_000_000, startMs: 0);
        long now = 0;
        int pings = 0;
        for (int cycle = 0; cycle < 20; cycle++)
        {
            int wait = watchdog.CapWaitMs(1000, now);
            Assert.Equal(1000, wait);
            now += wait + 3; // the cycle itself takes a few ms
            if (watchdog.IsDue(now))
            {
                watchdog.Pinged(now);
                pings++;
            }
            // The time since the last ping never reaches systemd's 2 s.
            Assert.True(now - watchdog.LastPingMs < 2000);
        }
        Assert.Equal(20, pings);
    }

    [Fact]
    public void A_watchdog_shorter_than_4_ms_still_gives_positive_intervals()
    {
        var watchdog = new WatchdogSchedule(1, startMs: 0);
        Assert.Equal(1, watchdog.PingEveryMs);
        Assert.Equal(1, watchdog.WakeWithinMs);
    }
}
