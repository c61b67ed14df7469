namespace Reapd.Bench.Tests;

/// <summary>
/// The blocked-exit workload's sizes: the victim the biggest process at the kill line, the SIGTERM line crossed in the
/// pusher's ramp, the pusher alone leaving memory above the SIGTERM line, and slack for memory that comes back
/// elsewhere on a shared machine (a designed overshoot of 200 MiB let whole rounds end without reaching the line).
/// </summary>
public class BlockedExitSizesTests
{
    private const long MiB = 1024;

    // This host's full run: MemTotal 24,105 MiB, lines at 10 % and 5 %.
    private const long FullKillLineKiB = 24105 * MiB * 5 / 100;
    private const long FullGapKiB = (24105 * MiB * 10 / 100) - FullKillLineKiB;

    [Theory]
    [InlineData(4096)]
    [InlineData(3800)]
    [InlineData(4400)]
    public void The_full_run_sizes_reach_a_quarter_GiB_below_the_kill_line_with_half_a_GiB_back_elsewhere(long rampMiB)
    {
        long r = rampMiB * MiB;
        var sizes = BlockedExitScenario.SizesFor(r, FullKillLineKiB, FullGapKiB);

        // The pusher can take available memory the freeze depth below the line with this much returned elsewhere.
        Assert.True(sizes.SlackKiB >= 400 * MiB, $"slack {sizes.SlackKiB / MiB} MiB");
        Assert.Equal(sizes.PusherKiB - (r - sizes.VictimKiB) - sizes.FreezeBelowLineKiB, sizes.SlackKiB);
        Assert.True(sizes.FreezeBelowLineKiB >= 200 * MiB);
        // A reaper's work shows as this much coming back; far less than the victim, far more than a sample's noise.
        Assert.InRange(sizes.ComingBackKiB, 32 * MiB, sizes.VictimKiB / 16);
        AssertShape(r, FullGapKiB, sizes);
    }

    [Fact]
    public void Quick_mode_sizes_stop_the_pusher_inside_the_cgroup()
    {
        // Quick mode: a 512 MiB cgroup, the kill line at 25.6 MiB, the ramp the rest.
        long totalKiB = 512 * MiB;
        long killLineKiB = totalKiB * 5 / 100;
        long gapKiB = (totalKiB * 10 / 100) - killLineKiB;
        long r = totalKiB - killLineKiB;

        var sizes = BlockedExitScenario.SizesFor(r, killLineKiB, gapKiB);

        // Available in the cgroup (limit − usage) cannot go below zero: the freeze point must lie above it.
        Assert.InRange(sizes.FreezeBelowLineKiB, 1, killLineKiB - 1);
        AssertShape(r, gapKiB, sizes);
    }

    [Fact]
    public void The_old_three_GiB_ramp_is_refused_for_want_of_slack_with_the_numbers()
    {
        var e = Assert.Throws<InvalidOperationException>(() => BlockedExitScenario.SizesFor(3072 * MiB, FullKillLineKiB, FullGapKiB));

        Assert.Contains("no sizes fit a ramp of 3072 MiB", e.Message, StringComparison.Ordinal);
        Assert.Contains("slack", e.Message, StringComparison.Ordinal);
    }

    private static void AssertShape(long r, long gapKiB, BlockedExitSizes sizes)
    {
        // The victim fills first; the pusher holds r − victim when the kill line is crossed: the victim is bigger.
        Assert.True(sizes.VictimKiB > r - sizes.VictimKiB, "the victim is not the biggest process at the kill line");
        // The victim alone stays above the SIGTERM line: the SIGTERM phase comes in the pusher's ramp.
        Assert.True(sizes.VictimKiB < r - gapKiB, "the victim alone crosses the SIGTERM line");
        // Once the victim is reaped, the pusher alone (at its largest) leaves memory above the SIGTERM line.
        Assert.True(r - sizes.PusherKiB > gapKiB, "the pusher alone goes below the SIGTERM line");
        // Victim and pusher together reach the freeze point.
        Assert.True(sizes.VictimKiB + sizes.PusherKiB > r + sizes.FreezeBelowLineKiB);
    }
}
