using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Reapd.Daemon;

/// <summary>
/// Writes one line per event: key=value text for people (with "&lt;N&gt;" syslog priorities instead of a timestamp
/// when stdout is the journal), or with --json one JSON object per line with an "event" field. Lines are built in
/// reused buffers (Utf8JsonWriter for JSON, UTF-8 formatting for text), so logging allocates nothing once warm.
/// <see cref="End"/> hands the finished line to an <see cref="EventWriter"/>, whose thread writes it out: the loop
/// never waits for stdout (a full ring drops the line and counts it). Single-threaded: only the loop thread logs.
/// </summary>
internal sealed class EventLog
{
    public const int Error = 3;
    public const int Warning = 4;
    public const int Notice = 5;
    public const int Info = 6;

    private static readonly JsonWriterOptions s_jsonOptions = new() { SkipValidation = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly EventWriter? _queue;
    private readonly TextWriter? _writer;
    private readonly bool _json;
    private readonly bool _journal;
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);
    private readonly Utf8JsonWriter _jsonWriter;
    private readonly char[] _chars = new char[8192];
    private int _depth;
    private bool _firstInList;

    /// <summary>Lines go through the writer's ring and thread, in its format (the real process).</summary>
    public EventLog(EventWriter queue)
        : this(queue.Json, queue.Journal)
    {
        _queue = queue;
    }

    /// <summary>Lines are written synchronously to <paramref name="writer"/> (in-process callers and format tests).</summary>
    public EventLog(TextWriter writer, bool json, bool journal)
        : this(json, journal)
    {
        _writer = writer;
    }

    /// <summary>A builder only: lines are taken with <see cref="Finish"/> (the writer thread's own lines).</summary>
    internal EventLog(bool json, bool journal)
    {
        _json = json;
        _journal = journal && !json;
        _jsonWriter = new Utf8JsonWriter(_buffer, s_jsonOptions);
    }

    public bool IsJson => _json;

    /// <summary>Lines dropped because the writer's ring was full (0 when writing synchronously).</summary>
    public long DroppedTotal => _queue?.DroppedTotal ?? 0;

    /// <summary>Starts an event line: timestamp, then the event name.</summary>
    public EventLog Begin(ReadOnlySpan<byte> name, int priority)
    {
        _buffer.ResetWrittenCount();
        _depth = 0;
        DateTime now = DateTime.UtcNow;
        double monoMs = Stopwatch.GetTimestamp() * 1000.0 / Stopwatch.Frequency;
        if (_json)
        {
            _jsonWriter.Reset(_buffer);
            _jsonWriter.WriteStartObject();
            _jsonWriter.WriteNumber("ts"u8, Math.Round((now - DateTime.UnixEpoch).TotalSeconds, 6));
            _jsonWriter.WriteNumber("mono_ms"u8, Math.Round(monoMs, 3));
            _jsonWriter.WriteString("event"u8, name);
            return this;
        }
        if (_journal)
        {
            Append("<"u8);
            AppendNumber(priority);
            Append(">"u8);
        }
        else
        {
            Span<byte> span = _buffer.GetSpan(32);
            now.TryFormat(span, out int written, "yyyy-MM-ddTHH:mm:ss.ffffffZ", System.Globalization.CultureInfo.InvariantCulture);
            _buffer.Advance(written);
            Append(" "u8);
        }
        Append(name);
        return this;
    }

    public EventLog Field(ReadOnlySpan<byte> key, long value)
    {
        if (_json)
        {
            _jsonWriter.WriteNumber(key, value);
            return this;
        }
        Key(key);
        AppendNumber(value);
        return this;
    }

    /// <summary>A number rounded to <paramref name="decimals"/> places (MiB, percent, ms).</summary>
    public EventLog Field(ReadOnlySpan<byte> key, double value, int decimals)
    {
        double rounded = Math.Round(value, decimals, MidpointRounding.AwayFromZero);
        if (_json)
        {
            _jsonWriter.WriteNumber(key, rounded);
            return this;
        }
        Key(key);
        Span<byte> span = _buffer.GetSpan(32);
        Utf8Formatter.TryFormat(rounded, span, out int written, new StandardFormat('F', (byte)decimals));
        _buffer.Advance(written);
        return this;
    }

    public EventLog Field(ReadOnlySpan<byte> key, bool value)
    {
        if (_json)
        {
            _jsonWriter.WriteBoolean(key, value);
            return this;
        }
        Key(key);
        Append(value ? "yes"u8 : "no"u8);
        return this;
    }

    /// <summary>A UTF-8 string value (a process name, a reason); quoted in text when it holds spaces or quotes.</summary>
    public EventLog Field(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        if (_json)
        {
            // A process name is raw bytes and may be invalid UTF-8, which Utf8JsonWriter refuses: transcode lossily (rare).
            if (System.Text.Unicode.Utf8.IsValid(value))
            {
                _jsonWriter.WriteString(key, value);
            }
            else
            {
                _jsonWriter.WriteString(key, Encoding.UTF8.GetString(value));
            }
            return this;
        }
        Key(key);
        if (value.IndexOfAny(" \"=\\"u8) >= 0 || value.IsEmpty || HasControlBytes(value))
        {
            // Quoted, with control bytes shown as '?', so that a hostile name cannot forge or break a line.
            Append("\""u8);
            foreach (byte b in value)
            {
                if (b is (byte)'"' or (byte)'\\')
                {
                    Append("\\"u8);
                }
                Span<byte> one = _buffer.GetSpan(1);
                one[0] = b < 0x20 || b == 0x7f ? (byte)'?' : b;
                _buffer.Advance(1);
            }
            Append("\""u8);
        }
        else
        {
            Append(value);
        }
        return this;
    }

    /// <summary>A string value (setup and rare events only: it transcodes).</summary>
    public EventLog Field(ReadOnlySpan<byte> key, string value)
    {
        int max = Encoding.UTF8.GetMaxByteCount(value.Length);
        byte[]? rented = max > 512 ? ArrayPool<byte>.Shared.Rent(max) : null;
        Span<byte> bytes = rented ?? stackalloc byte[512];
        int length = Encoding.UTF8.GetBytes(value, bytes);
        Field(key, bytes[..length]);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
        return this;
    }

    /// <summary>Starts a list of objects ("top" candidates, "sharers").</summary>
    public EventLog BeginList(ReadOnlySpan<byte> key)
    {
        if (_json)
        {
            _jsonWriter.WriteStartArray(key);
        }
        else
        {
            Key(key);
            Append("["u8);
        }
        _depth++;
        _firstInList = true;
        return this;
    }

    public EventLog BeginItem()
    {
        if (_json)
        {
            _jsonWriter.WriteStartObject();
        }
        else if (!_firstInList)
        {
            Append(", "u8);
        }
        _firstInList = true;
        return this;
    }

    public EventLog EndItem()
    {
        if (_json)
        {
            _jsonWriter.WriteEndObject();
        }
        _firstInList = false;
        return this;
    }

    public EventLog EndList()
    {
        if (_json)
        {
            _jsonWriter.WriteEndArray();
        }
        else
        {
            Append("]"u8);
        }
        _depth--;
        _firstInList = false;
        return this;
    }

    /// <summary>Ends the line and hands it on: queued for the writer thread, or written to the TextWriter.</summary>
    public void End()
    {
        ReadOnlySpan<byte> line = Finish();
        if (_queue is not null)
        {
            _ = _queue.TryEnqueue(line);
            return;
        }
        if (_writer is not null)
        {
            int count = Encoding.UTF8.GetChars(line, _chars);
            _writer.Write(_chars.AsSpan(0, count));
            _writer.Flush();
        }
    }

    /// <summary>Ends the line (newline included) and returns it; valid until the next <see cref="Begin"/>.</summary>
    internal ReadOnlySpan<byte> Finish()
    {
        if (_json)
        {
            _jsonWriter.WriteEndObject();
            _jsonWriter.Flush();
        }
        Append("\n"u8);
        return _buffer.WrittenSpan;
    }

    private static bool HasControlBytes(ReadOnlySpan<byte> value)
    {
        foreach (byte b in value)
        {
            if (b < 0x20 || b == 0x7f)
            {
                return true;
            }
        }
        return false;
    }

    private void Key(ReadOnlySpan<byte> key)
    {
        // Inside a list item the first field follows the bracket or the comma directly.
        if (!(_depth > 0 && _firstInList))
        {
            Append(" "u8);
        }
        _firstInList = false;
        Append(key);
        Append("="u8);
    }

    private void Append(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(_buffer.GetSpan(bytes.Length));
        _buffer.Advance(bytes.Length);
    }

    private void AppendNumber(long value)
    {
        Span<byte> span = _buffer.GetSpan(24);
        Utf8Formatter.TryFormat(value, span, out int written);
        _buffer.Advance(written);
    }
}
