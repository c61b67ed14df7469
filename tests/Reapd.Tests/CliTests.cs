namespace Reapd.Tests;

public sealed class CliTests
{
    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("help")]
    public void Help_prints_the_usage_and_exits_zero(string argument)
    {
        var (code, stdout, _) = Invoke(argument);
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("usage: reapd <command>", stdout);
        Assert.Contains("model-check", stdout);
    }

    [Fact]
    public void An_unknown_command_is_one_clear_error_with_the_usage_exit_code()
    {
        var (code, _, stderr) = Invoke("frobnicate");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.StartsWith("reapd: unknown command 'frobnicate'", stderr);
    }

    [Fact]
    public void Version_prints_the_version_alone_on_stdout()
    {
        var (code, stdout, stderr) = Invoke("--version");
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Equal("", stderr);
        Assert.Matches(@"^\d+\.\d+\.\d+\n$", stdout);
        Assert.Equal(ReapdVersion.Text + "\n", stdout);
    }

    [Theory]
    [InlineData("run")]
    [InlineData("ls")]
    [InlineData("kill")]
    [InlineData("model-check")]
    [InlineData("completion")]
    public void Every_command_has_generated_help_with_its_synopsis(string command)
    {
        var (code, stdout, stderr) = Invoke(command, "--help");
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Equal("", stderr);
        Assert.StartsWith($"usage: reapd {command}", stdout);
        Assert.Contains("-h, --help", stdout);
    }

    [Fact]
    public void An_option_before_the_command_is_one_line_naming_it()
    {
        var (code, stdout, stderr) = Invoke("--dry-run");
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Equal("", stdout);
        Assert.Equal("reapd: unknown option '--dry-run' for reapd", stderr.TrimEnd('\n'));
    }

    internal static (int Code, string Stdout, string Stderr) Invoke(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = Cli.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
