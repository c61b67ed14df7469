using System.Net.Sockets;
using System.Text;
using Reapd.Linux.Systemd;
using Reapd.Testing;

namespace Reapd.Linux.Tests.Systemd;

/// <summary>The notifier against real AF_UNIX datagram sockets bound by the test, in the file system and abstract.</summary>
public sealed class SystemdNotifierTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("reapd-notify-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static Socket Listen(string name)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(name));
        return socket;
    }

    private static string Receive(Socket socket)
    {
        byte[] buffer = new byte[4096];
        socket.ReceiveTimeout = 10_000;
        int n = socket.Receive(buffer);
        return Encoding.ASCII.GetString(buffer, 0, n);
    }

    [Fact]
    public void A_message_reaches_a_socket_named_by_path_as_one_datagram()
    {
        string path = Path.Combine(_directory, "notify");
        using Socket manager = Listen(path);
        using SystemdNotifier notifier = SystemdNotifier.Open(path, null, null, Environment.ProcessId, out string? problem)!;
        Assert.Null(problem);

        Assert.True(notifier.Send("READY=1\nSTATUS=available 812 MiB"u8));
        Assert.True(notifier.Send("WATCHDOG=1"u8));

        Assert.Equal("READY=1\nSTATUS=available 812 MiB", Receive(manager));
        Assert.Equal("WATCHDOG=1", Receive(manager));
        Assert.Equal(2, notifier.Sent);
        Assert.Equal(0, notifier.Failed);
    }

    [Fact]
    public void A_message_reaches_an_abstract_socket_named_with_an_at_sign()
    {
        string name = $"reapd-test-notify-{Environment.ProcessId}-{Guid.NewGuid():N}";
        using Socket manager = Listen("\0" + name);
        using SystemdNotifier notifier = SystemdNotifier.Open("@" + name, null, null, Environment.ProcessId, out _)!;

        Assert.True(notifier.Send("STOPPING=1"u8));
        Assert.Equal("STOPPING=1", Receive(manager));
    }

    [Fact]
    public void A_manager_socket_that_is_gone_is_a_counted_failure_not_an_exception()
    {
        string path = Path.Combine(_directory, "gone");
        using (Listen(path))
        {
        }
        using SystemdNotifier notifier = SystemdNotifier.Open(path, null, null, Environment.ProcessId, out _)!;

        Assert.False(notifier.Send("WATCHDOG=1"u8));
        Assert.False(notifier.Send("WATCHDOG=1"u8));
        Assert.Equal(2, notifier.Failed);
        Assert.Equal(2, notifier.LastErrno); // ENOENT: .NET unlinks a bound socket's path when it closes it
    }

    [Fact]
    public void A_manager_that_does_not_read_never_blocks_the_sender_it_refuses_with_EAGAIN()
    {
        string path = Path.Combine(_directory, "full");
        using Socket manager = Listen(path);
        using SystemdNotifier notifier = SystemdNotifier.Open(path, null, null, Environment.ProcessId, out _)!;

        // Nobody reads: the receiver's queue fills (net.unix.max_dgram_qlen, or its buffer) and a blocking send would wait.
        int sent = 0;
        while (notifier.Send("WATCHDOG=1"u8) && sent < 100_000)
        {
            sent++;
        }
        Assert.InRange(sent, 1, 99_999);
        Assert.Equal(1, notifier.Failed);
        Assert.Equal(11, notifier.LastErrno); // EAGAIN
        // Once the manager reads again, messages get through again.
        Assert.Equal("WATCHDOG=1", Receive(manager));
        Assert.True(notifier.Send("WATCHDOG=1"u8));
    }

    [Fact]
    public void Sending_allocates_nothing()
    {
        string path = Path.Combine(_directory, "alloc");
        using Socket manager = Listen(path);
        using SystemdNotifier notifier = SystemdNotifier.Open(path, "30000000", null, Environment.ProcessId, out _)!;
        Assert.Equal(30_000_000, notifier.WatchdogUsec);
        _ = notifier.Send("WATCHDOG=1"u8);

        // 50 pings, each measured on its own (ThreadAllocation).
        Assert.Equal(0, ThreadAllocation.Measure(50, () => _ = notifier.Send("WATCHDOG=1"u8)));
    }

    [Fact]
    public void Without_NOTIFY_SOCKET_there_is_no_notifier_and_nothing_is_opened()
    {
        Assert.Null(SystemdNotifier.Open(null, "30000000", null, Environment.ProcessId, out string? problem));
        Assert.Null(problem);
    }
}
