using System.Net;
using System.Net.Sockets;
using Reapd.Daemon;

namespace Reapd.Tests;

/// <summary>--metrics-file and --metrics-listen: read, and every bad value one line with its exit code, nothing started.</summary>
public sealed class MetricsOptionsTests
{
    [Fact]
    public void Both_metrics_options_are_read()
    {
        string directory = Directory.CreateTempSubdirectory("reapd-metrics-opt.").FullName;
        try
        {
            RunOptions? options = RunOptionsParser.TryParse(["--metrics-file", Path.Combine(directory, "reapd.prom"), "--metrics-listen", "[::1]:9749"], out string? error);
            Assert.Null(error);
            Assert.NotNull(options);
            Assert.Equal(Path.Combine(directory, "reapd.prom"), options.MetricsFile);
            Assert.Equal(new IPEndPoint(IPAddress.IPv6Loopback, 9749), options.MetricsListen);

            options = RunOptionsParser.TryParse(["--metrics-listen", "127.0.0.1:0"], out error);
            Assert.Equal(new IPEndPoint(IPAddress.Loopback, 0), options!.MetricsListen);
            Assert.Null(options.MetricsFile);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Theory]
    [InlineData(new[] { "--metrics-file", "/tmp/reapd.txt" }, "--metrics-file must name a file ending in .prom (node_exporter's textfile collector reads only those), not '/tmp/reapd.txt'")]
    [InlineData(new[] { "--metrics-file", "/tmp/.prom" }, "--metrics-file must name a file ending in .prom")]
    [InlineData(new[] { "--metrics-file", "/no/such/dir/reapd.prom" }, "--metrics-file /no/such/dir/reapd.prom: directory /no/such/dir does not exist")]
    [InlineData(new[] { "--metrics-file" }, "option --metrics-file needs a value")]
    [InlineData(new[] { "--metrics-listen", "localhost:9749" }, "--metrics-listen must be an IP address and a port like 127.0.0.1:9749 or [::1]:9749, not 'localhost:9749'")]
    [InlineData(new[] { "--metrics-listen", "127.0.0.1" }, "--metrics-listen must be an IP address and a port")]
    [InlineData(new[] { "--metrics-listen", "::1" }, "--metrics-listen must be an IP address and a port")]
    [InlineData(new[] { "--metrics-listen", "127.0.0.1:65536" }, "--metrics-listen must be an IP address and a port")]
    [InlineData(new[] { "--metrics-listen", "127.0.0.1:-1" }, "--metrics-listen must be an IP address and a port")]
    [InlineData(new[] { "--metrics-listen", "300.0.0.1:80" }, "--metrics-listen must be an IP address and a port")]
    public void A_bad_metrics_value_is_one_line_naming_the_option_and_the_usage_exit_code(string[] args, string message)
    {
        var (code, stdout, stderr) = CliTests.Invoke(["run", "--dry-run", .. args]);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Equal("", stdout);
        Assert.StartsWith("reapd run: " + message, stderr);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public void A_port_in_use_is_one_line_and_the_failed_exit_code_before_anything_starts()
    {
        using var taken = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        taken.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        taken.Listen();
        string address = $"127.0.0.1:{((IPEndPoint)taken.LocalEndPoint!).Port}";

        var (code, stdout, stderr) = ReapdBinary.Run("run", "--dry-run", "--metrics-listen", address);

        Assert.Equal(ExitCodes.Failed, code);
        Assert.Equal("", stdout);
        Assert.StartsWith($"reapd run: cannot listen on --metrics-listen {address}: ", stderr);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public void A_metrics_file_that_cannot_be_written_is_one_line_and_the_failed_exit_code_before_anything_starts()
    {
        // /proc exists as a directory, and nobody (not even root) can create a file in it.
        var (code, stdout, stderr) = ReapdBinary.Run("run", "--dry-run", "--metrics-file", "/proc/reapd.prom");

        Assert.Equal(ExitCodes.Failed, code);
        Assert.Equal("", stdout);
        Assert.StartsWith("reapd run: cannot write --metrics-file /proc/reapd.prom: ", stderr);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
    }
}
