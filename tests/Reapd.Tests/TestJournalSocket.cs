using System.Net.Sockets;

namespace Reapd.Tests;

/// <summary>
/// A stand-in for journald's native socket: a real AF_UNIX datagram socket bound in a temp directory of its own. It
/// reads only when the test says so, so a test can let its queue fill as a stalled journald's does. Dispose closes it
/// and removes the directory.
/// </summary>
internal sealed class TestJournalSocket : IDisposable
{
    private readonly string _directory;
    private readonly byte[] _buffer = new byte[256 * 1024];
    private readonly List<JournalEntry> _received = [];
    private Thread? _reader;
    private volatile bool _stopReading;

    private TestJournalSocket(string directory, Socket socket)
    {
        _directory = directory;
        Socket = socket;
    }

    public string Path => System.IO.Path.Combine(_directory, "socket");

    public Socket Socket { get; private set; }

    /// <summary>What the background reader has received so far, in order.</summary>
    public List<JournalEntry> Received
    {
        get
        {
            lock (_received)
            {
                return [.. _received];
            }
        }
    }

    /// <summary>From now on a background thread reads every datagram as it comes, as journald does.</summary>
    public void StartReading()
    {
        _stopReading = false;
        Socket socket = Socket;
        _reader = new Thread(() =>
        {
            var buffer = new byte[256 * 1024];
            while (!_stopReading)
            {
                // Polled with a timeout, so that stopping never depends on a close waking a blocked receive.
                if (!socket.Poll(TimeSpan.FromMilliseconds(50), SelectMode.SelectRead))
                {
                    continue;
                }
                int length = socket.Receive(buffer);
                JournalEntry entry = JournalEntry.Parse(buffer.AsSpan(0, length));
                lock (_received)
                {
                    _received.Add(entry);
                }
            }
        }) { IsBackground = true, Name = "test journal reader" };
        _reader.Start();
    }

    private void StopReading()
    {
        _stopReading = true;
        _reader?.Join();
        _reader = null;
    }

    /// <summary>As a restarted journald does: the old socket closes, a new one is bound at the same path.</summary>
    public void Restart()
    {
        StopReading();
        Socket.Dispose();
        File.Delete(Path);
        Socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        Socket.Bind(new UnixDomainSocketEndPoint(Path));
    }

    public static TestJournalSocket Bind()
    {
        string directory = Directory.CreateTempSubdirectory("reapd-journal-").FullName;
        var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        try
        {
            socket.Bind(new UnixDomainSocketEndPoint(System.IO.Path.Combine(directory, "socket")));
        }
        catch
        {
            socket.Dispose();
            Directory.Delete(directory, recursive: true);
            throw;
        }
        return new TestJournalSocket(directory, socket);
    }

    /// <summary>The next datagram, or null when none comes within <paramref name="timeoutMs"/>.</summary>
    public byte[]? Receive(int timeoutMs)
    {
        if (!Socket.Poll(TimeSpan.FromMilliseconds(timeoutMs), SelectMode.SelectRead))
        {
            return null;
        }
        int length = Socket.Receive(_buffer);
        return _buffer[..length];
    }

    /// <summary>Every datagram until none has come for <paramref name="quietMs"/>.</summary>
    public List<JournalEntry> ReceiveUntilQuiet(int quietMs)
    {
        var entries = new List<JournalEntry>();
        while (Receive(quietMs) is byte[] datagram)
        {
            entries.Add(JournalEntry.Parse(datagram));
        }
        return entries;
    }

    public void Dispose()
    {
        StopReading();
        Socket.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
