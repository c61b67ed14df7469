using System.Text;

namespace Reapd.Testing;

/// <summary>Reads a stream's lines on a background thread as they come (a pipe a process writes); the test takes snapshots.</summary>
public sealed class LineReader
{
    private readonly List<string> _lines = [];
    private readonly Thread _thread;

    private LineReader(Stream stream)
    {
        _thread = new Thread(() => Read(stream)) { IsBackground = true, Name = "test line reader" };
        _thread.Start();
    }

    public static LineReader Start(Stream stream) => new(stream);

    /// <summary>The lines read so far, in order.</summary>
    public List<string> Lines
    {
        get
        {
            lock (_lines)
            {
                return [.. _lines];
            }
        }
    }

    /// <summary>Waits (bounded) for the end of the stream.</summary>
    public bool WaitForEnd(int timeoutMs) => _thread.Join(timeoutMs);

    private void Read(Stream stream)
    {
        using var text = new StreamReader(stream, Encoding.UTF8, false, 1 << 16, leaveOpen: true);
        try
        {
            while (text.ReadLine() is string line)
            {
                lock (_lines)
                {
                    _lines.Add(line);
                }
            }
        }
        catch (Exception e) when (e is ObjectDisposedException or IOException)
        {
            // The owner closed the stream under the read (a test that ended disposed its process): that is this
            // stream's end. Unhandled on this thread, it took the whole test host down (a CI run of 2026-11-30).
        }
    }
}
