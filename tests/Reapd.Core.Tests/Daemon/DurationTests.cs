using Reapd.Core.Daemon;

namespace Reapd.Core.Tests.Daemon;

public sealed class DurationTests
{
    [Theory]
    [InlineData("500ms", 500)]
    [InlineData("3s", 3000)]
    [InlineData("1.5s", 1500)]
    [InlineData("2m", 120_000)]
    [InlineData("0s", 0)]
    public void Durations_with_a_unit_are_read_in_milliseconds(string text, long expectedMs)
    {
        Assert.True(Duration.TryParseMs(text, out long ms));
        Assert.Equal(expectedMs, ms);
    }

    [Theory]
    [InlineData("")]
    [InlineData("3")]
    [InlineData("s")]
    [InlineData("-1s")]
    [InlineData("3h")]
    [InlineData("1e9m")]
    [InlineData("abc")]
    [InlineData("3 s")]
    public void Anything_else_is_not_a_duration(string text)
    {
        Assert.False(Duration.TryParseMs(text, out _));
    }

    [Theory]
    [InlineData("10", 10)]
    [InlineData("7.5%", 7.5)]
    [InlineData("0", 0)]
    [InlineData("100", 100)]
    public void Percentages_read_with_or_without_the_sign(string text, double expected)
    {
        Assert.True(Duration.TryParsePercent(text, out double percent));
        Assert.Equal(expected, percent);
    }

    [Theory]
    [InlineData("101")]
    [InlineData("-5")]
    [InlineData("ten")]
    [InlineData("%")]
    public void Percentages_outside_0_to_100_are_refused(string text)
    {
        Assert.False(Duration.TryParsePercent(text, out _));
    }
}
