using Reapd.Core.Daemon;

namespace Reapd.Core.Tests.Daemon;

/// <summary>The "how long" of the PSI conditions: held without a break at or above the level, a dip resets it.</summary>
public sealed class SustainedStallTests
{
    // 2 s window, level 50 %; samples every 500 ms; each step adds `stalledMs` of stall.
    private static SustainedStall Run(SustainedStall stall, ref long timeMs, ref long totalUs, params long[] stalledMsPerStep)
    {
        foreach (long stalledMs in stalledMsPerStep)
        {
            timeMs += 500;
            totalUs += stalledMs * 1000;
            stall.Observe(timeMs, totalUs);
        }
        return stall;
    }

    [Fact]
    public void The_duration_counts_from_the_first_sample_at_or_above_the_level()
    {
        var stall = new SustainedStall(2000, 50);
        long t = 0, total = 0;
        stall.Observe(t, total);
        Run(stall, ref t, ref total, 0, 0, 0, 0);
        Assert.Equal(0, stall.SharePercent, 3);
        Assert.Equal(-1, stall.HeldMs);
        Run(stall, ref t, ref total, 500, 500, 500, 500); // the window is now fully stalled
        Assert.Equal(100, stall.SharePercent, 3);
        long reachedAt = stall.HeldMs;
        Assert.True(reachedAt >= 0);
        Run(stall, ref t, ref total, 500, 500);
        Assert.Equal(reachedAt + 1000, stall.HeldMs);
    }

    [Fact]
    public void A_dip_below_the_level_resets_the_duration()
    {
        var stall = new SustainedStall(2000, 50);
        long t = 0, total = 0;
        stall.Observe(t, total);
        Run(stall, ref t, ref total, 500, 500, 500, 500, 500, 500);
        Assert.True(stall.HeldMs >= 1000);
        Run(stall, ref t, ref total, 0, 0, 0); // 500 ms of stall in the last 2 s: 25 %
        Assert.Equal(-1, stall.HeldMs);
        Run(stall, ref t, ref total, 500, 500, 500);
        // The window reached 50 % again at the second of these samples: the duration counts from there, not from before the dip.
        Assert.True(stall.SharePercent >= 50);
        Assert.Equal(500, stall.HeldMs);
    }

    [Fact]
    public void A_restart_forgets_window_and_duration()
    {
        var stall = new SustainedStall(2000, 50);
        long t = 0, total = 0;
        stall.Observe(t, total);
        Run(stall, ref t, ref total, 500, 500, 500, 500, 500);
        stall.Restart();
        Assert.Equal(-1, stall.HeldMs);
        Assert.Equal(-1, stall.SharePercent);
        Run(stall, ref t, ref total, 500);
        Assert.Equal(-1, stall.SharePercent); // a whole new window is needed
    }
}
