namespace Reapd.Bench.Tests;

public class BenchOptionsTests
{
    [Fact]
    public void Quick_mode_defaults_to_two_runs_and_ten_second_idle_windows()
    {
        var options = BenchOptions.Parse(["--quick"], out string? error);

        Assert.Null(error);
        Assert.NotNull(options);
        Assert.True(options.Quick);
        Assert.Equal(2, options.Runs);
        Assert.Equal(10, options.IdleSeconds);
    }

    [Fact]
    public void The_full_run_defaults_to_five_runs_and_sixty_second_idle_windows()
    {
        var options = BenchOptions.Parse([], out _);

        Assert.Equal(5, options!.Runs);
        Assert.Equal(60, options.IdleSeconds);
        Assert.Null(options.Scenarios);
    }

    [Fact]
    public void Lists_of_scenarios_and_daemons_are_split_on_commas()
    {
        var options = BenchOptions.Parse(["--scenarios", "ramp-1gib,idle", "--daemons", "kernel,reapd", "--runs", "7"], out _);

        Assert.Equal(["ramp-1gib", "idle"], options!.Scenarios!);
        Assert.Equal(["kernel", "reapd"], options.Daemons!);
        Assert.Equal(7, options.Runs);
    }

    [Theory]
    [InlineData("--runs", "0")]
    [InlineData("--runs", "many")]
    [InlineData("--idle-seconds", "-1")]
    [InlineData("--bogus", "1")]
    public void A_bad_argument_is_one_line_naming_it(string name, string value)
    {
        Assert.Null(BenchOptions.Parse([name, value], out string? error));
        Assert.Contains($"'{name}'", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Help_is_no_error()
    {
        Assert.Null(BenchOptions.Parse(["--help"], out string? error));
        Assert.Equal("", error);
    }
}
