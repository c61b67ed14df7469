using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Reapd.Metrics;

/// <summary>
/// The opt-in scrape endpoint (--metrics-listen): a minimal HTTP/1.1 responder for GET /metrics on a thread of its
/// own, blocked in accept(2) until a scraper connects, so it costs no CPU while nobody scrapes. One connection at a
/// time, answered and closed (Connection: close): a request head of at most <see cref="MaxRequestBytes"/>, each
/// receive and send bounded by <see cref="IoTimeoutMs"/> and the whole exchange by <see cref="ExchangeTimeoutMs"/>,
/// so a client that stalls or floods holds the thread for a bounded time and never reaches the decision loop. The
/// exposition is rendered on demand from the loop's last state. Owns the listening socket and its thread.
/// </summary>
internal sealed class MetricsListener : IDisposable
{
    public const int MaxRequestBytes = 8192;
    public const int IoTimeoutMs = 2000;
    public const int ExchangeTimeoutMs = 5000;
    public const int LingerMs = 200;
    public const int LingerBytes = 64 * 1024;

    private readonly Socket _socket;
    private readonly MetricsRenderer _renderer;
    private readonly Thread _thread;
    private readonly byte[] _request = new byte[MaxRequestBytes];
    private volatile bool _stopping;
    private long _scrapes;
    private long _rejected;

    private MetricsListener(Socket socket, DaemonMetrics metrics)
    {
        _socket = socket;
        _renderer = new MetricsRenderer(metrics);
        Endpoint = (IPEndPoint)socket.LocalEndPoint!;
        _thread = new Thread(Run, maxStackSize: 256 * 1024) { IsBackground = true, Name = "reapd metrics listener" };
    }

    /// <summary>The address and port bound (the port the kernel chose when 0 was asked for).</summary>
    public IPEndPoint Endpoint { get; }

    /// <summary>GET /metrics requests answered with 200.</summary>
    public long Scrapes => Volatile.Read(ref _scrapes);

    /// <summary>Connections answered with an error status or dropped (malformed, too large, too slow).</summary>
    public long Rejected => Volatile.Read(ref _rejected);

    /// <summary>Binds and listens (so a busy port is one line at the start). Null with the reason. <see cref="Start"/> starts the thread.</summary>
    public static MetricsListener? TryCreate(DaemonMetrics metrics, IPEndPoint endpoint, out string? error)
    {
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            socket.Bind(endpoint);
            socket.Listen(16);
        }
        catch (SocketException e)
        {
            socket.Dispose();
            error = $"cannot listen on --metrics-listen {Format(endpoint)}: {e.Message}";
            return null;
        }
        error = null;
        return new MetricsListener(socket, metrics);
    }

    public void Start() => _thread.Start();

    /// <summary>ADDR:PORT, with brackets around an IPv6 address.</summary>
    public static string Format(IPEndPoint endpoint) => endpoint.AddressFamily == AddressFamily.InterNetworkV6
        ? $"[{endpoint.Address}]:{endpoint.Port}"
        : $"{endpoint.Address}:{endpoint.Port}";

    private void Run()
    {
        _ = Linux.Sensors.SelfProtection.SetCallingThreadNice(MetricsFile.MetricsThreadNice);
        while (!_stopping)
        {
            Socket client;
            try
            {
                client = _socket.Accept();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                if (_stopping)
                {
                    return;
                }
                // EMFILE, ENOBUFS...: back off instead of spinning on an error that stays.
                Thread.Sleep(100);
                continue;
            }
            using (client)
            {
                try
                {
                    Serve(client);
                }
                catch (Exception e) when (e is SocketException or ObjectDisposedException or IOException)
                {
                    _ = Interlocked.Increment(ref _rejected);
                }
            }
        }
    }

    private void Serve(Socket client)
    {
        client.ReceiveTimeout = IoTimeoutMs;
        client.SendTimeout = IoTimeoutMs;
        client.NoDelay = true;
        long start = Stopwatch.GetTimestamp();
        int length = 0;
        int headEnd;
        while ((headEnd = _request.AsSpan(0, length).IndexOf("\r\n\r\n"u8)) < 0)
        {
            if (length == _request.Length)
            {
                Answer(client, "431 Request Header Fields Too Large", "request head too large\n"u8, head: false);
                return;
            }
            if (Stopwatch.GetElapsedTime(start).TotalMilliseconds > ExchangeTimeoutMs)
            {
                _ = Interlocked.Increment(ref _rejected);
                return;
            }
            int read = client.Receive(_request, length, _request.Length - length, SocketFlags.None);
            if (read == 0)
            {
                _ = Interlocked.Increment(ref _rejected);
                return;
            }
            length += read;
        }
        ReadOnlySpan<byte> requestLine = _request.AsSpan(0, _request.AsSpan(0, headEnd + 2).IndexOf("\r\n"u8));
        // METHOD SP TARGET SP HTTP/1.x; a query string on the target is ignored.
        int firstSpace = requestLine.IndexOf((byte)' ');
        int lastSpace = requestLine.LastIndexOf((byte)' ');
        if (firstSpace <= 0 || lastSpace <= firstSpace || !requestLine[(lastSpace + 1)..].StartsWith("HTTP/1."u8))
        {
            Answer(client, "400 Bad Request", "malformed request line\n"u8, head: false);
            return;
        }
        ReadOnlySpan<byte> method = requestLine[..firstSpace];
        ReadOnlySpan<byte> target = requestLine[(firstSpace + 1)..lastSpace];
        int query = target.IndexOf((byte)'?');
        if (query >= 0)
        {
            target = target[..query];
        }
        bool head = method.SequenceEqual("HEAD"u8);
        if (!head && !method.SequenceEqual("GET"u8))
        {
            Answer(client, "405 Method Not Allowed", "only GET and HEAD\n"u8, head: false, extraHeaders: "Allow: GET, HEAD\r\n");
            return;
        }
        if (!target.SequenceEqual("/metrics"u8))
        {
            Answer(client, "404 Not Found", "reapd serves /metrics only\n"u8, head);
            return;
        }
        _ = Interlocked.Increment(ref _scrapes);
        Answer(client, "200 OK", _renderer.Render(), head, contentType: PrometheusWriter.ContentType);
    }

    private void Answer(Socket client, string status, ReadOnlySpan<byte> body, bool head, string contentType = "text/plain; charset=utf-8", string extraHeaders = "")
    {
        if (!status.StartsWith("200", StringComparison.Ordinal))
        {
            _ = Interlocked.Increment(ref _rejected);
        }
        string headers = $"HTTP/1.1 {status}\r\nContent-Type: {contentType}\r\nContent-Length: {body.Length}\r\nConnection: close\r\n{extraHeaders}\r\n";
        SendAll(client, Encoding.ASCII.GetBytes(headers));
        if (!head)
        {
            SendAll(client, body);
        }
        client.Shutdown(SocketShutdown.Send);
        DiscardUntilClosed(client);
    }

    /// <summary>
    /// After the answer: reads and drops what the client still sends (the rest of an oversized request) until it
    /// closes, for at most <see cref="LingerMs"/> in all and <see cref="LingerBytes"/>. Closing with unread input would
    /// make the kernel send a reset, which can destroy the answer before the client has read it. The bound is one
    /// deadline for the whole linger, not a timeout per read: a client dripping a byte now and then must not hold
    /// the listener's only thread.
    /// </summary>
    private void DiscardUntilClosed(Socket client)
    {
        long deadlineMs = Environment.TickCount64 + LingerMs;
        int discarded = 0;
        try
        {
            while (discarded < LingerBytes)
            {
                long leftMs = deadlineMs - Environment.TickCount64;
                if (leftMs <= 0)
                {
                    break;
                }
                client.ReceiveTimeout = (int)leftMs;
                int read = client.Receive(_request);
                if (read <= 0)
                {
                    break;
                }
                discarded += read;
            }
        }
        catch (SocketException)
        {
            // Timed out or reset: the answer is out either way.
        }
    }

    private static void SendAll(Socket client, ReadOnlySpan<byte> bytes)
    {
        while (bytes.Length > 0)
        {
            int sent = client.Send(bytes, SocketFlags.None);
            bytes = bytes[sent..];
        }
    }

    public void Dispose()
    {
        _stopping = true;
        // Closing the socket ends the accept the thread is blocked in; the thread is a background thread either way.
        _socket.Dispose();
        if ((_thread.ThreadState & System.Threading.ThreadState.Unstarted) == 0)
        {
            _ = _thread.Join(1000);
        }
    }
}
