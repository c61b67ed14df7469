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
