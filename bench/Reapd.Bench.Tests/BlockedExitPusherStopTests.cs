namespace Reapd.Bench.Tests;

/// <summary>When the runner stops the blocked-exit pusher: deep enough below the kill line, or once a reaper is at work.</summary>
public class BlockedExitPusherStopTests
{
    private const long MiB = 1024;
    private const long FreezeBelowKiB = 949 * MiB;
    private const long ComingBackKiB = 64 * MiB;

    [Fact]
    public void The_pusher_is_stopped_deep_below_the_kill_line_whatever_the_victim_does()
    {
        long atKill = -1;

        Assert.True(BlockedExitScenario.ShouldStopPusher(940 * MiB, FreezeBelowKiB, victimDying: false, ref atKill, ComingBackKiB));
        Assert.True(BlockedExitScenario.ShouldStopPusher(940 * MiB, FreezeBelowKiB, victimDying: true, ref atKill, ComingBackKiB));
    }

    [Fact]
    public void The_pusher_goes_on_while_the_victim_lives_above_the_freeze_point()
    {
        long atKill = -1;

        Assert.False(BlockedExitScenario.ShouldStopPusher(1100 * MiB, FreezeBelowKiB, victimDying: false, ref atKill, ComingBackKiB));
        Assert.Equal(-1, atKill);
    }

    [Fact]
    public void The_pusher_is_stopped_once_the_dying_victims_memory_comes_back()
    {
        long atKill = -1;

        // Killed 20 MiB below the line: where it was is kept; the pusher's next pages move it down a little.
        Assert.False(BlockedExitScenario.ShouldStopPusher(1185 * MiB, FreezeBelowKiB, victimDying: true, ref atKill, ComingBackKiB));
        Assert.Equal(1185 * MiB, atKill);
        Assert.False(BlockedExitScenario.ShouldStopPusher(1180 * MiB, FreezeBelowKiB, victimDying: true, ref atKill, ComingBackKiB));
        // Less than 64 MiB back is a sample's noise, not yet a reaper.
        Assert.False(BlockedExitScenario.ShouldStopPusher(1240 * MiB, FreezeBelowKiB, victimDying: true, ref atKill, ComingBackKiB));
        Assert.True(BlockedExitScenario.ShouldStopPusher(1400 * MiB, FreezeBelowKiB, victimDying: true, ref atKill, ComingBackKiB));
        Assert.Equal(1185 * MiB, atKill);
    }

    [Fact]
    public void A_victim_that_cannot_be_reaped_leaves_the_pusher_going_to_the_freeze_point()
    {
        long atKill = -1;

        // No reaper: nothing comes back, the pusher takes memory down until the freeze point.
        for (long available = 1190 * MiB; available >= FreezeBelowKiB; available -= 20 * MiB)
        {
            Assert.False(BlockedExitScenario.ShouldStopPusher(available, FreezeBelowKiB, victimDying: true, ref atKill, ComingBackKiB));
        }
        Assert.True(BlockedExitScenario.ShouldStopPusher(FreezeBelowKiB - 1, FreezeBelowKiB, victimDying: true, ref atKill, ComingBackKiB));
    }
}
