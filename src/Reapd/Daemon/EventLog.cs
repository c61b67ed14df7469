using System.Buffers;
using System.Buffers.Binary;
using System.Buffers.Text;
using System.Diagnostics;
using System.Text;
using System.Text.Json;

namespace Reapd.Daemon;

/// <summary>
/// Writes one line per event: key=value text for people (with "&lt;N&gt;" syslog priorities instead of a timestamp
/// when stdout is the journal's stream), or with --json one JSON object per line with an "event" field. With
/// <c>journalFields</c> (stdout is the journal and its native socket is there) each event is one journal entry instead:
/// MESSAGE is the line (text without timestamp, or JSON), then PRIORITY, SYSLOG_IDENTIFIER=reapd, REAPD_EVENT and every
/// field of the event as REAPD_KEY — the same <see cref="Field(ReadOnlySpan{byte}, long)"/> calls make the line and the
/// fields, so the two never disagree. Lines are built in reused buffers (Utf8JsonWriter for JSON, UTF-8 formatting for
/// text and fields), so logging allocates nothing once warm.
/// <see cref="End"/> hands the finished line to an <see cref="EventWriter"/>, whose thread writes it out: the loop
/// never waits for stdout (a full ring drops the line and counts it). Single-threaded: only the loop thread logs.
/// </summary>
internal sealed class EventLog
{
    public const int Error = 3;
    public const int Warning = 4;
    public const int Notice = 5;
    public const int Info = 6;

    /// <summary>Journal field names: at most 64 bytes of A-Z, 0-9 and '_', not starting with '_' (systemd.journal-fields(7)).</summary>
    private const int MaxJournalFieldNameBytes = 64;

    private static readonly JsonWriterOptions s_jsonOptions = new() { SkipValidation = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private readonly EventWriter? _queue;
    private readonly TextWriter? _writer;
    private readonly bool _json;
    private readonly bool _journal;
    private readonly ArrayBufferWriter<byte> _buffer = new(4096);
    // Journal entries only: the REAPD_* fields, appended to the MESSAGE line by Finish.
    private readonly ArrayBufferWriter<byte>? _fields;
    // Journal entries only: the key of the list being written ("TOP"), so an item's field is REAPD_TOP_0_PID.
    // Short enough that REAPD_, it, an index and a key always fit a field name's 64 bytes.
    private readonly byte[] _listKey = new byte[16];
    private int _listKeyLength;
    private int _itemIndex;
    private readonly Utf8JsonWriter _jsonWriter;
    private readonly char[] _chars = new char[8192];
    private int _depth;
    private bool _firstInList;

    /// <summary>JSON lines (--json); else text lines or journal entries.</summary>
    internal bool Json => _json;

    internal bool Journal => _journal;

    /// <summary>Lines go through the writer's ring and thread, in its format (the real process).</summary>
    public EventLog(EventWriter queue)
        : this(queue.Json, queue.Journal, queue.JournalFields)
    {
        _queue = queue;
    }

    /// <summary>Lines are written synchronously to <paramref name="writer"/> (in-process callers and format tests).</summary>
    public EventLog(TextWriter writer, bool json, bool journal)
        : this(json, journal)
    {
        _writer = writer;
    }

    /// <summary>
    /// A builder only: lines are taken with <see cref="Finish"/> (the writer thread's own lines, format tests).
    /// <paramref name="journalFields"/>: each line is a native journal entry (see the class comment).
    /// </summary>
    internal EventLog(bool json, bool journal, bool journalFields = false)
    {
        _json = json;
        _journal = (journal || journalFields) && !json;
        _jsonWriter = new Utf8JsonWriter(_buffer, s_jsonOptions);
        _fields = journalFields ? new ArrayBufferWriter<byte>(4096) : null;
    }

    public bool IsJson => _json;

    /// <summary>Whether each line is a native journal entry with REAPD_* fields.</summary>
    public bool IsJournalEntry => _fields is not null;

    /// <summary>Lines dropped because the writer's ring was full (0 when writing synchronously).</summary>
    public long DroppedTotal => _queue?.DroppedTotal ?? 0;

    /// <summary>Starts an event line: timestamp, then the event name.</summary>
    public EventLog Begin(ReadOnlySpan<byte> name, int priority) => Begin(name, priority, name);

    /// <summary>
    /// Starts an event line whose journal entry has its own REAPD_EVENT (<paramref name="journalEvent"/>: "kill" for
    /// a signal event that delivered a SIGKILL, docs/daemon.md); the line itself names the event as always.
    /// </summary>
    public EventLog Begin(ReadOnlySpan<byte> name, int priority, ReadOnlySpan<byte> journalEvent)
    {
        _buffer.ResetWrittenCount();
        _depth = 0;
        if (_fields is not null)
        {
            _fields.ResetWrittenCount();
            _listKeyLength = 0;
            // MESSAGE first: a line that cannot be sent is written to stdout from it (EventWriter's fallback).
            Append("MESSAGE="u8);
            AppendTo(_fields, "PRIORITY="u8);
            AppendNumberTo(_fields, priority);
            AppendTo(_fields, "\nSYSLOG_IDENTIFIER=reapd\n"u8);
            JournalField("EVENT"u8, journalEvent);
        }
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
            // The journal stamps each line itself; a journal entry carries the priority as a field instead.
            if (_fields is null)
            {
                Append("<"u8);
                AppendNumber(priority);
                Append(">"u8);
            }
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
        if (_fields is not null)
        {
            // One span for the whole field, one Advance: the field costs about twice the text's key=value.
            Span<byte> span = _fields.GetSpan(MaxJournalFieldNameBytes + 32);
            int length = JournalFieldName(key, span);
            span[length++] = (byte)'=';
            Utf8Formatter.TryFormat(value, span[length..], out int written);
            length += written;
            span[length++] = (byte)'\n';
            _fields.Advance(length);
        }
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
        if (_fields is not null)
        {
            Span<byte> span = _fields.GetSpan(MaxJournalFieldNameBytes + 32);
            int length = JournalFieldName(key, span);
            span[length++] = (byte)'=';
            Utf8Formatter.TryFormat(rounded, span[length..], out int written, new StandardFormat('F', (byte)decimals));
            length += written;
            span[length++] = (byte)'\n';
            _fields.Advance(length);
        }
        if (_json)
        {
            _jsonWriter.WriteNumber(key, rounded);
            return this;
        }
        Key(key);
        AppendFixed(_buffer, rounded, decimals);
        return this;
    }

    public EventLog Field(ReadOnlySpan<byte> key, bool value)
    {
        if (_fields is not null)
        {
            // The JSON form's spelling: fields are for programs.
            JournalField(key, value ? "true"u8 : "false"u8);
        }
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
        if (_fields is not null)
        {
            // The raw bytes: the journal is binary-safe, so a name shows as it is, newlines and invalid UTF-8 included.
            JournalField(key, value);
        }
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
        if (_fields is not null)
        {
            // Items become indexed fields (REAPD_TOP_0_PID, REAPD_TOP_1_PID): the journal would merge repeated fields
            // with equal values and does not keep their order, which would tear an item's fields apart.
            _listKeyLength = UpperFieldName(key, _listKey);
            _itemIndex = -1;
        }
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
        _itemIndex++;
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
        _listKeyLength = 0;
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
        if (_fields is not null)
        {
            Append(_fields.WrittenSpan);
        }
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

    /// <summary>
    /// One REAPD_ field: NAME=value, or, for a value holding a newline, the protocol's binary form: NAME, a newline,
    /// the value's length as a little-endian 64-bit number, the value.
    /// </summary>
    private void JournalField(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        Span<byte> span = _fields!.GetSpan(MaxJournalFieldNameBytes + 1 + sizeof(ulong) + value.Length + 1);
        int length = JournalFieldName(key, span);
        if (value.IndexOf((byte)'\n') < 0)
        {
            span[length++] = (byte)'=';
        }
        else
        {
            span[length++] = (byte)'\n';
            BinaryPrimitives.WriteUInt64LittleEndian(span[length..], (ulong)value.Length);
            length += sizeof(ulong);
        }
        value.CopyTo(span[length..]);
        length += value.Length;
        span[length++] = (byte)'\n';
        _fields.Advance(length);
    }

    /// <summary>
    /// Writes REAPD_, then inside a list the list's key and the item's index, then the key into
    /// <paramref name="name"/> (at least 64 bytes); returns its length. Upper case, '-' as '_' (the keys are reapd's own
    /// ASCII literals). Copies and a vectorized upper-casing: a byte-by-byte mapping cost 0.25 µs a field.
    /// </summary>
    private int JournalFieldName(ReadOnlySpan<byte> key, Span<byte> name)
    {
        "REAPD_"u8.CopyTo(name);
        int length = "REAPD_"u8.Length;
        if (_listKeyLength > 0)
        {
            _listKey.AsSpan(0, _listKeyLength).CopyTo(name[length..]);
            length += _listKeyLength;
            name[length++] = (byte)'_';
            Utf8Formatter.TryFormat(_itemIndex, name[length..], out int digits);
            length += digits;
            name[length++] = (byte)'_';
        }
        return length + UpperFieldName(key, name[length..MaxJournalFieldNameBytes]);
    }

    /// <summary>Writes <paramref name="key"/> upper-cased, '-' as '_', cut to the room given; returns the bytes written.</summary>
    private static int UpperFieldName(ReadOnlySpan<byte> key, Span<byte> into)
    {
        ReadOnlySpan<byte> part = key[..Math.Min(key.Length, into.Length)];
        _ = Ascii.ToUpper(part, into, out int written);
        into[..written].Replace((byte)'-', (byte)'_');
        return written;
    }

    private void Append(ReadOnlySpan<byte> bytes) => AppendTo(_buffer, bytes);

    private void AppendNumber(long value) => AppendNumberTo(_buffer, value);

    private static void AppendTo(ArrayBufferWriter<byte> buffer, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(buffer.GetSpan(bytes.Length));
        buffer.Advance(bytes.Length);
    }

    private static void AppendNumberTo(ArrayBufferWriter<byte> buffer, long value)
    {
        Span<byte> span = buffer.GetSpan(24);
        Utf8Formatter.TryFormat(value, span, out int written);
        buffer.Advance(written);
    }

    private static void AppendFixed(ArrayBufferWriter<byte> buffer, double rounded, int decimals)
    {
        Span<byte> span = buffer.GetSpan(32);
        Utf8Formatter.TryFormat(rounded, span, out int written, new StandardFormat('F', (byte)decimals));
        buffer.Advance(written);
    }
}
