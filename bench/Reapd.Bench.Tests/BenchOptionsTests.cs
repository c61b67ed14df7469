namespace Reapd.Bench.Tests;

public class BenchOptionsTests
{
    [Fact]
    public void Build_programs_asks_only_for_the_c_programs_and_is_off_by_default()
    {
        Assert.True(BenchOptions.Parse(["--build-programs"], out string? error)!.BuildProgramsOnly);
        Assert.Null(error);
        Assert.False(BenchOptions.Parse(["--in-guest"], out _)!.BuildProgramsOnly);
    }

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

    [Fact]
    public void Without_a_baseline_every_daemon_but_reapd_base_runs()
    {
        var options = BenchOptions.Parse([], out _);

        Assert.Null(options!.BaselineBinary);
        Assert.Equal(["kernel", "earlyoom", "nohang", "reapd"], options.DaemonNames);
    }

    [Fact]
    public void A_baseline_binary_adds_reapd_base_after_the_daemons_asked_for()
    {
        var options = BenchOptions.Parse(["--daemons", "reapd,earlyoom", "--baseline", "/opt/old/reapd", "--runs", "3"], out string? error);

        Assert.Null(error);
        Assert.Equal("/opt/old/reapd", options!.BaselineBinary);
        Assert.Null(options.ReapdBinary);
        Assert.Equal(["earlyoom", "reapd", BenchOptions.BaselineDaemon], options.DaemonNames);
        Assert.Equal(3, options.Runs);
    }

    [Fact]
    public void A_baseline_with_every_daemon_comes_last_in_the_round_order()
    {
        var options = BenchOptions.Parse(["--reapd", "/new/reapd", "--baseline", "/old/reapd"], out _);

        Assert.Equal("/new/reapd", options!.ReapdBinary);
        Assert.Equal(["kernel", "earlyoom", "nohang", "reapd", "reapd-base"], options.DaemonNames);
    }

    [Fact]
    public void Reapd_base_named_in_daemons_needs_a_baseline_binary()
    {
        Assert.Null(BenchOptions.Parse(["--daemons", "reapd,reapd-base"], out string? error));
        Assert.Contains("--baseline", error, StringComparison.Ordinal);

        var options = BenchOptions.Parse(["--daemons", "reapd-base", "--baseline", "/old/reapd"], out _);
        Assert.Equal(["reapd-base"], options!.DaemonNames);
    }

    [Fact]
    public void An_unknown_daemon_is_one_line_naming_it()
    {
        Assert.Null(BenchOptions.Parse(["--daemons", "reapd,oomd"], out string? error));
        Assert.Contains("'oomd'", error, StringComparison.Ordinal);
        Assert.DoesNotContain("\n", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--runs", "0")]
    [InlineData("--runs", "many")]
    [InlineData("--idle-seconds", "-1")]
    [InlineData("--bogus", "1")]
    [InlineData("--baseline", null)]
    public void A_bad_argument_is_one_line_naming_it(string name, string? value)
    {
        Assert.Null(BenchOptions.Parse(value is null ? [name] : [name, value], out string? error));
        Assert.StartsWith("bench: ", error, StringComparison.Ordinal);
        Assert.Contains(name, error, StringComparison.Ordinal);
        Assert.DoesNotContain("\n", error, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_take_their_value_after_an_equals_sign_too()
    {
        var options = BenchOptions.Parse(["--runs=3", "--daemons=reapd,kernel", "--quick"], out string? error);

        Assert.Null(error);
        Assert.Equal(3, options!.Runs);
        Assert.Equal(["reapd", "kernel"], options.Daemons!);
    }

    [Fact]
    public void Help_is_no_error()
    {
        Assert.Null(BenchOptions.Parse(["--help"], out string? error));
        Assert.Equal("", error);
    }
}
