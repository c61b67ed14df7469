using System.Net;
using System.Net.Sockets;
using System.Text;
using Reapd.Core.Daemon;
using Reapd.Metrics;

namespace Reapd.Tests;

/// <summary>
/// The --metrics-listen responder on a real loopback socket, spoken to byte by byte: what it answers, what it refuses,
/// and that a client that stalls or floods is cut off within its bounds while the next scrape is still served.
/// </summary>
public sealed class MetricsListenerTests : IDisposable
{
    private readonly MetricsListener _listener;

    public MetricsListenerTests()
    {
        var metrics = new DaemonMetrics(new DaemonConfig(), "system");
        _listener = MetricsListener.TryCreate(metrics, new IPEndPoint(IPAddress.Loopback, 0), out string? error)
            ?? throw new InvalidOperationException(error);
        _listener.Start();
    }

    public void Dispose() => _listener.Dispose();

    [Fact]
    public void GET_metrics_is_answered_with_the_exposition_and_its_content_type_and_the_connection_closed()
    {
        string answer = Exchange("GET /metrics?x=1 HTTP/1.1\r\nHost: a\r\nAccept: */*\r\n\r\n");
        (string head, string body) = Split(answer);

        Assert.StartsWith("HTTP/1.1 200 OK\r\n", head);
        Assert.Contains("\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n", head);
        Assert.Contains($"\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\n", head);
        Assert.Contains("\r\nConnection: close\r\n", head);
        Assert.Equal(0, Exposition.Parse(body).Value("reapd_kills_total", ("signal", "SIGKILL"), ("reason", "kill-level")));
        Assert.Equal(1, _listener.Scrapes);
    }

    [Fact]
    public void HEAD_metrics_gets_the_headers_without_the_body()
    {
        (string head, string body) = Split(Exchange("HEAD /metrics HTTP/1.0\r\n\r\n"));
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", head);
        Assert.Equal("", body);
    }

    [Theory]
    [InlineData("GET / HTTP/1.1\r\n\r\n", "404 Not Found")]
    [InlineData("GET /metricsx HTTP/1.1\r\n\r\n", "404 Not Found")]
    [InlineData("POST /metrics HTTP/1.1\r\nContent-Length: 0\r\n\r\n", "405 Method Not Allowed")]
    [InlineData("GET /metrics\r\n\r\n", "400 Bad Request")]
    [InlineData("GET /metrics SPDY/3\r\n\r\n", "400 Bad Request")]
    [InlineData("\r\n\r\n", "400 Bad Request")]
    public void Anything_but_GET_or_HEAD_of_metrics_is_refused_with_its_status(string request, string status)
    {
        Assert.StartsWith($"HTTP/1.1 {status}\r\n", Exchange(request));
        Assert.Equal(0, _listener.Scrapes);
        Assert.Equal(1, _listener.Rejected);
    }

    [Fact]
    public void A_request_head_larger_than_the_bound_is_refused_without_reading_on()
    {
        string request = "GET /metrics HTTP/1.1\r\nX-Fill: " + new string('a', MetricsListener.MaxRequestBytes) + "\r\n\r\n";
        Assert.StartsWith("HTTP/1.1 431 Request Header Fields Too Large\r\n", Exchange(request));
    }

    [Fact]
    public void A_client_that_never_sends_its_request_is_dropped_and_the_next_scrape_is_served()
    {
        using Socket stalled = Connect();
        stalled.Send("GET /metr"u8);
        // One connection at a time: this one waits until the stalled one is given up (its receive times out).
        string answer = Exchange("GET /metrics HTTP/1.1\r\n\r\n", receiveTimeoutMs: 30_000);
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", answer);
        Assert.Equal(1, _listener.Rejected);
        // The stalled client finds its connection closed without an answer.
        stalled.ReceiveTimeout = 10_000;
        Assert.Equal(0, stalled.Receive(new byte[64]));
    }

    [Fact]
    public void A_client_that_drips_bytes_after_its_answer_does_not_hold_the_listener()
    {
        using Socket dripper = Connect();
        dripper.Send("GET /metrics HTTP/1.1\r\n\r\n"u8);
        // After the answer the listener reads what the client still sends before it closes; a client sending a byte
        // every 100 ms used to keep it there for hours (a timeout per read, not one for the whole linger).
        using var stop = new CancellationTokenSource();
        var drip = new Thread(() =>
        {
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    _ = dripper.Send("x"u8);
                    Thread.Sleep(100);
                }
            }
            catch (SocketException)
            {
                // The listener closed the connection: what this test wants.
            }
        }) { IsBackground = true };
        drip.Start();
        try
        {
            string answer = Exchange("GET /metrics HTTP/1.1\r\n\r\n", receiveTimeoutMs: 30_000);
            Assert.StartsWith("HTTP/1.1 200 OK\r\n", answer);
        }
        finally
        {
            stop.Cancel();
            Assert.True(drip.Join(10_000), "the dripping client did not stop");
        }
    }

    private Socket Connect()
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Connect(_listener.Endpoint);
        return socket;
    }

    /// <summary>Sends the request and reads until the server closes the connection.</summary>
    private string Exchange(string request, int receiveTimeoutMs = 10_000)
    {
        using Socket socket = Connect();
        socket.ReceiveTimeout = receiveTimeoutMs;
        socket.Send(Encoding.ASCII.GetBytes(request));
        var answer = new MemoryStream();
        var buffer = new byte[4096];
        int read;
        try
        {
            while ((read = socket.Receive(buffer)) > 0)
            {
                answer.Write(buffer, 0, read);
            }
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            // The server closed with the rest of an oversized request unread: what it sent before is still here.
        }
        return Encoding.UTF8.GetString(answer.ToArray());
    }

    private static (string Head, string Body) Split(string answer)
    {
        int end = answer.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        Assert.True(end > 0, $"no end of head in '{answer}'");
        return (answer[..(end + 2)], answer[(end + 4)..]);
    }
}
