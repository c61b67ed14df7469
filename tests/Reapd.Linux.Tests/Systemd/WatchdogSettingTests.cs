using Reapd.Linux.Systemd;

namespace Reapd.Linux.Tests.Systemd;

public sealed class WatchdogSettingTests
{
    [Theory]
    [InlineData(null, null, 0)]
    [InlineData("", null, 0)]
    [InlineData("30000000", null, 30_000_000)]
    [InlineData("2000000", "4242", 2_000_000)]   // meant for this process
    [InlineData("2000000", "4343", 0)]           // meant for another one (inherited by a child): not ours
    public void The_timeout_is_ours_only_when_no_other_process_is_named(string? usec, string? pid, long expected)
    {
        Assert.Equal(expected, WatchdogSetting.TimeoutUsec(usec, pid, 4242, out string? problem));
        Assert.Null(problem);
    }

    [Theory]
    [InlineData("0", null, "WATCHDOG_USEC='0'")]
    [InlineData("-5", null, "WATCHDOG_USEC='-5'")]
    [InlineData("2s", null, "WATCHDOG_USEC='2s'")]
    [InlineData("2000000", "me", "WATCHDOG_PID='me'")]
    public void A_value_that_does_not_parse_means_no_pings_and_says_which(string usec, string? pid, string expected)
    {
        Assert.Equal(0, WatchdogSetting.TimeoutUsec(usec, pid, 4242, out string? problem));
        Assert.Contains(expected, problem, StringComparison.Ordinal);
    }
}
