using Reapd.Core.Daemon;
using Reapd.Testing;

namespace Reapd.Core.Tests.Daemon;

public sealed class PsiFullStallTrackerTests
{
    [Fact]
    public void The_share_is_unknown_until_a_whole_window_is_covered()
    {
        var tracker = new PsiFullStallTracker(10_000);
        Assert.Equal(-1, tracker.Observe(0, 0));
        Assert.Equal(-1, tracker.Observe(9_999, 9_000_000));
        Assert.Equal(90, tracker.Observe(10_000, 9_000_000), 3);
    }

    [Fact]
    public void The_share_follows_the_recent_window_not_the_whole_history()
    {
        var tracker = new PsiFullStallTracker(10_000);
        long total = 0;
        for (long t = 0; t <= 30_000; t += 500)
        {
            // Fully stalled for the first 15 s, then nothing.
            tracker.Observe(t, total);
            total += t < 15_000 ? 500_000 : 0;
        }
        Assert.Equal(0, tracker.LastSharePercent, 3);
    }

    [Fact]
    public void A_stall_that_begins_after_a_long_gap_in_readings_counts_at_its_share_of_the_window()
    {
        // Quiet wake-ups may leave the counter unread for several seconds; the stall that then wakes reapd must not be
        // averaged over the gap (6 s of stall over the 36 s since the only point older than the window: 16.7 %).
        var tracker = new PsiFullStallTracker(10_000);
        tracker.Observe(0, 0);
        tracker.Observe(30_000, 0);
        double share = -1;
        for (long t = 31_000; t <= 36_000; t += 1000)
        {
            share = tracker.Observe(t, (t - 30_000) * 1000);
        }
        Assert.Equal(60, share, 3);
    }

    [Fact]
    public void The_share_never_exceeds_the_stall_that_happened_in_the_window()
    {
        // Points at irregular spacing, a stall of known rate: whatever point the share is taken from, it is at most
        // the true share of the last window (here the stall rate itself, 40 %).
        var tracker = new PsiFullStallTracker(10_000);
        var random = new Random(13);
        long t = 0;
        tracker.Observe(0, 0);
        for (int i = 0; i < 500; i++)
        {
            t += random.Next(250, 7000);
            double share = tracker.Observe(t, t * 400);
            Assert.True(share <= 40.0001, $"share {share} at {t} ms");
        }
    }

    [Fact]
    public void Observing_at_a_high_rate_allocates_nothing()
    {
        var tracker = new PsiFullStallTracker(10_000);
        for (int i = 0; i < 1000; i++)
        {
            tracker.Observe(i, i * 100L);
        }
        // The clock goes on across a re-taken measurement: a tracker never sees time go back.
        long timeMs = 1000;
        Assert.Equal(0, ThreadAllocation.Measure(99, () =>
        {
            for (int i = 0; i < 1000; i++, timeMs++)
            {
                tracker.Observe(timeMs, timeMs * 100L);
            }
        }));
    }
}
