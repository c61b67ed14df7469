using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Reapd.Tests;

/// <summary>
/// The published daemon started the way systemd starts a Type=notify unit with WatchdogSec=: NOTIFY_SOCKET names a
/// datagram socket the test binds (as the service manager does), WATCHDOG_USEC and WATCHDOG_PID are set.
/// </summary>
public sealed class RunNotifyTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("reapd-notify-").FullName;
    private readonly Socket _manager;

    public RunNotifyTests()
    {
        _manager = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        _manager.Bind(new UnixDomainSocketEndPoint(SocketPath));
    }

    private string SocketPath => Path.Combine(_directory, "notify");

    public void Dispose()
    {
        _manager.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public void The_daemon_says_ready_once_keeps_pinging_the_watchdog_from_its_loop_and_says_stopping_on_SIGTERM()
    {
        // WATCHDOG_PID names the process itself only once it runs; unset, the watchdog is meant for whoever reads it.
        using RunDaemon daemon = RunDaemon.Start(new Dictionary<string, string>
        {
            ["NOTIFY_SOCKET"] = SocketPath,
            ["WATCHDOG_USEC"] = "400000",
        }, "--dry-run");
        Assert.Contains($"{SocketPath}, watchdog 400 ms", daemon.Named("start").Single().GetProperty("notify").GetString(), StringComparison.Ordinal);

        var messages = new List<string>();
        // Until READY=1 only warm-up pings may come; then at least five more pings from the running loop.
        while (!messages.Any(m => m.StartsWith("READY=1", StringComparison.Ordinal)) || messages.SkipWhile(m => !m.StartsWith("READY=1", StringComparison.Ordinal)).Count(m => m == "WATCHDOG=1") < 5)
        {
            messages.Add(Receive(messages));
        }
        int ready = messages.FindIndex(m => m.StartsWith("READY=1", StringComparison.Ordinal));
        Assert.All(messages.Take(ready), m => Assert.Equal("WATCHDOG=1", m));
        Assert.Matches(@"^READY=1\nWATCHDOG=1\nSTATUS=available \d+ MiB of \d+ MiB \(\d+%\), (ok|term level|kill level) \(term 10%, kill 5%\), no victim$", messages[ready]);
        // Quiet memory: status lines only when it moved (rarely), pings otherwise; nothing else.
        Assert.All(messages.Skip(ready + 1), m => Assert.True(m == "WATCHDOG=1" || m.StartsWith("STATUS=available ", StringComparison.Ordinal), m));

        daemon.StopCleanly();
        messages.Add(Receive(messages));
        while (messages[^1] != "STOPPING=1\nSTATUS=stopping")
        {
            messages.Add(Receive(messages));
        }
        Assert.Single(messages, m => m.StartsWith("READY=1", StringComparison.Ordinal));
        Assert.Equal(0, daemon.Named("stop").Single().GetProperty("notify_failed").GetInt64());
    }

    [Fact]
    public void A_watchdog_meant_for_another_process_is_not_pinged_but_ready_and_status_still_go_out()
    {
        using RunDaemon daemon = RunDaemon.Start(new Dictionary<string, string>
        {
            ["NOTIFY_SOCKET"] = SocketPath,
            ["WATCHDOG_USEC"] = "400000",
            ["WATCHDOG_PID"] = "1",
        }, "--dry-run");
        Assert.EndsWith(", no watchdog", daemon.Named("start").Single().GetProperty("notify").GetString(), StringComparison.Ordinal);
        var messages = new List<string> { Receive([]) };
        Assert.StartsWith("READY=1\nSTATUS=available ", messages[0], StringComparison.Ordinal);
        daemon.StopCleanly();
        while (messages[^1] != "STOPPING=1\nSTATUS=stopping")
        {
            messages.Add(Receive(messages));
        }
        Assert.DoesNotContain(messages, m => m.Contains("WATCHDOG=1", StringComparison.Ordinal));
    }

    [Fact]
    public void A_relative_NOTIFY_SOCKET_is_one_warning_and_the_daemon_guards_anyway()
    {
        using RunDaemon daemon = RunDaemon.Start(new Dictionary<string, string> { ["NOTIFY_SOCKET"] = "run/notify" }, "--dry-run");
        var warning = daemon.Named("warning").Single(w => w.GetProperty("what").GetString() == "notify");
        Assert.Contains("NOTIFY_SOCKET='run/notify' is neither an absolute path", warning.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.False(daemon.Named("start").Single().TryGetProperty("notify", out _));
        daemon.StopCleanly();
        Assert.False(daemon.Named("stop").Single().TryGetProperty("notify_failed", out _));
    }

    /// <summary>The next datagram, bounded: a daemon that stops sending fails the test with what came so far.</summary>
    private string Receive(List<string> sofar)
    {
        var clock = Stopwatch.StartNew();
        byte[] buffer = new byte[4096];
        while (clock.ElapsedMilliseconds < 30_000)
        {
            if (_manager.Poll(100_000, SelectMode.SelectRead))
            {
                int n = _manager.Receive(buffer);
                return Encoding.ASCII.GetString(buffer, 0, n);
            }
        }
        Assert.Fail("no notification within 30 s; so far:\n" + string.Join("\n---\n", sofar));
        return "";
    }
}
