namespace Reapd.Tests;

public sealed class CliTests
{
    [Fact]
    public void Help_prints_the_usage_and_exits_zero()
    {
        var (code, stdout, _) = Invoke("--help");
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

    internal static (int Code, string Stdout, string Stderr) Invoke(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = Cli.Run(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
