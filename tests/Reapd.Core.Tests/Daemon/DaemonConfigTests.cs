using Reapd.Core.Daemon;

namespace Reapd.Core.Tests.Daemon;

public sealed class DaemonConfigTests
{
    [Fact]
    public void The_built_in_defaults_are_valid_and_as_documented()
    {
        var config = new DaemonConfig();
        Assert.Null(config.Validate());
        Assert.Equal(10, config.TermPercent);
        Assert.Equal(5, config.KillPercent);
        Assert.Equal(3000, config.GraceMs);
        Assert.Equal(5000, config.SettleTimeoutMs);
        Assert.Equal(1000, config.ScanDeadlineMs);
        Assert.Equal(60, config.PsiFullPercent);
        Assert.False(config.DryRun);
    }

    [Theory]
    [InlineData(10, 20, "kill level")]
    [InlineData(0, 0, "term level")]
    [InlineData(100, 5, "term level")]
    [InlineData(10, 0, "kill level")]
    public void Inconsistent_levels_are_refused_with_a_reason(double term, double kill, string mentioned)
    {
        string? error = new DaemonConfig { TermPercent = term, KillPercent = kill }.Validate();
        Assert.NotNull(error);
        Assert.Contains(mentioned, error);
    }

    [Fact]
    public void A_scan_deadline_that_is_not_positive_is_refused()
    {
        Assert.Contains("scan deadline", new DaemonConfig { ScanDeadlineMs = 0 }.Validate());
    }
}
