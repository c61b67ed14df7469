using Reapd.Core.Daemon;

namespace Reapd.Core.Tests.Daemon;

public sealed class PercentTests
{
    [Theory]
    [InlineData("10", 10)]
    [InlineData("7.5%", 7.5)]
    [InlineData("0", 0)]
    [InlineData("100", 100)]
    public void Percentages_read_with_or_without_the_sign(string text, double expected)
    {
        Assert.True(Percent.TryParse(text, out double percent));
        Assert.Equal(expected, percent);
    }

    [Theory]
    [InlineData("101")]
    [InlineData("-5")]
    [InlineData("ten")]
    [InlineData("%")]
    [InlineData("")]
    public void Percentages_outside_0_to_100_are_refused(string text)
    {
        Assert.False(Percent.TryParse(text, out _));
    }
}
