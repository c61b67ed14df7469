using System.Buffers.Binary;
using Reapd.Linux.Journal;
using Reapd.Linux.Sensors;

namespace Reapd.Daemon;

/// <summary>
/// Where finished event lines go: a bounded byte ring that the loop thread copies each line into, and a writer thread
/// that drains the ring to the stream (stdout). The loop never blocks on output: stdout may be a pipe nobody reads, or
/// the journal's socket while journald itself is stalled under the memory pressure reapd answers. When the ring is
/// full a line is dropped whole and counted, and the writer writes an <c>events-dropped</c> line with the count right
/// where the gap is. Lines are never split across writes, never interleaved (only the writer thread writes the
/// stream) and keep their order.
/// <para>
/// Ring records start at 4-byte aligned offsets and never straddle the ring's end: a line record is its length
/// (≥ 0), the number of lines dropped before it since the start, and its bytes; a wrap record says the rest of the
/// ring up to its end is unused. Single producer (the loop thread) and single consumer (the writer thread):
/// <see cref="_head"/> and <see cref="_tail"/> count the bytes ever queued and ever drained, and each side publishes
/// its counter only after the bytes it covers are in place (or written out), so neither reads or overwrites a record
/// the other still uses. The drop count a line carries places every gap exactly; a gap that no line follows is
/// announced once the writer finds the ring empty after reading the count (the loop publishes a line before counting
/// a later drop, so an empty ring then means every line before the gap is out). Allocation-free once warm, on both
/// threads. Owns the writer thread and its eventfd; does not own the stream.
/// </para>
/// <para>
/// With a <see cref="JournalSocket"/> (stdout is the journal and its native socket is there) each record is a whole
/// journal entry (<see cref="EventLog"/> builds it) and the writer sends it as one datagram, without waiting: when
/// journald's queue is full (it is not reading) the writer thread, never the loop, waits until there is room, so the
/// ring fills behind it and the loop drops and counts exactly as with a blocked stdout. An entry is at most half the
/// ring (32 KiB by default), far below the socket's send buffer, so no entry ever needs the protocol's memfd form. An
/// entry the socket refuses for good (journald gone and no one listening after one reconnect) is written to the stream
/// as the line it carries, after one warning line there. Owns the socket.
/// </para>
/// </summary>
internal sealed class EventWriter : IDisposable
{
    /// <summary>Room for a few hundred lines (a kill writes five of 200-600 bytes); the pages are touched only as used.</summary>
    public const int DefaultCapacityBytes = 64 * 1024;

    /// <summary>How long <see cref="Dispose"/> waits for the writer to drain what is queued before the process exits.</summary>
    public const int DrainTimeoutMs = 1000;

    private const int WrapRecord = -1;
    // A line record's header: its length (int) and the lines dropped before it since the start (long).
    private const int HeaderBytes = sizeof(int) + sizeof(long);

    private readonly Stream _stream;
    private readonly byte[] _ring;
    private readonly EventFdHandle _wake;
    private readonly int _wakeFd;
    private readonly Thread _thread;
    private readonly EventLog _own;
    private readonly JournalSocket? _socket;
    // Journal entries only: the stream form of an entry the socket refused, and the warning line before the first.
    private readonly byte[]? _fallbackLine;
    private readonly EventLog? _ownStream;
    private bool _fallbackWarned;
    private long _journalFallbackLines;

    // Written by the loop thread only (Volatile.Write publishes the records before it); read by the writer.
    private long _head;
    // Written by the writer thread only, after the records before it were written out; read by the loop thread.
    private long _tail;
    // Written by the loop thread only, always after publishing the lines queued before the drop.
    private long _droppedTotal;
    // Writer thread only: drops already announced by an events-dropped line.
    private long _announcedDrops;
    private long _linesWritten;
    private long _lineWriteFailures;
    private long _writerAllocatedBytes;
    private volatile bool _stopping;
    // 1 while the writer is about to wait or waiting on the eventfd (see WakeWriterIfAsleep).
    private int _writerSleeping;

    private EventWriter(Stream stream, bool json, bool journal, int capacityBytes, EventFdHandle wake, JournalSocket? socket)
    {
        _stream = stream;
        _ring = new byte[capacityBytes];
        _wake = wake;
        _wakeFd = wake.Fd;
        _socket = socket;
        Json = json;
        Journal = (journal || socket is not null) && !json;
        _own = new EventLog(json, Journal, JournalFields);
        if (socket is not null)
        {
            _fallbackLine = new byte[capacityBytes / 2 + 16];
            _ownStream = new EventLog(json, journal: true);
        }
        _thread = new Thread(Run, maxStackSize: 256 * 1024) { IsBackground = true, Name = "reapd events" };
    }

    public bool Json { get; }

    public bool Journal { get; }

    /// <summary>Each record is a native journal entry sent to the journal's socket (see the class comment).</summary>
    public bool JournalFields => _socket is not null;

    /// <summary>Journal entries the socket refused for good, written to the stream as lines instead.</summary>
    public long JournalFallbackLines => Volatile.Read(ref _journalFallbackLines);

    public int CapacityBytes => _ring.Length;

    /// <summary>Lines the ring had no room for, since the start (loop thread's count).</summary>
    public long DroppedTotal => Volatile.Read(ref _droppedTotal);

    /// <summary>Lines written out by the writer thread (its own events-dropped lines included).</summary>
    public long LinesWritten => Volatile.Read(ref _linesWritten);

    /// <summary>Lines whose write failed (stdout closed: EPIPE, EBADF); they are lost, the writer goes on.</summary>
    public long LineWriteFailures => Volatile.Read(ref _lineWriteFailures);

    /// <summary>Managed bytes the writer thread had allocated when it last wrote a line or went idle (for the zero-allocation test).</summary>
    public long WriterThreadAllocatedBytes => Volatile.Read(ref _writerAllocatedBytes);

    /// <summary>Whether the writer thread still runs (false once it drained after a stop).</summary>
    public bool IsRunning => _thread.IsAlive;

    /// <summary>
    /// Starts the writer thread on <paramref name="stream"/> (not owned). Null, with the errno, when the kernel refuses
    /// an eventfd (EMFILE, ENOMEM). <paramref name="capacityBytes"/>: a multiple of 4, at least 256; a line longer than
    /// half of it is always dropped (it could not be placed whatever the ring holds). <paramref name="journalSocket"/>
    /// (owned from here on, also when this fails): send each event as a journal entry through it instead.
    /// </summary>
    public static EventWriter? TryStart(Stream stream, bool json, bool journal, out int errno, int capacityBytes = DefaultCapacityBytes,
        JournalSocket? journalSocket = null)
    {
        if (capacityBytes < 256 || capacityBytes % 4 != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(capacityBytes), capacityBytes, "a multiple of 4, at least 256");
        }
        EventFdHandle? wake = EventFdHandle.Create(out errno);
        if (wake is null)
        {
            journalSocket?.Dispose();
            return null;
        }
        var writer = new EventWriter(stream, json, journal, capacityBytes, wake, journalSocket);
        // The thread's references on the eventfd and the socket, taken here so that a Dispose racing the thread's
        // start cannot close them first; the thread releases them when it ends.
        bool added = false;
        wake.DangerousAddRef(ref added);
        bool socketAdded = false;
        journalSocket?.DangerousAddRef(ref socketAdded);
        writer._thread.Start();
        return writer;
    }

    /// <summary>
    /// Loop thread only. Copies a finished line (ending in a newline) into the ring and wakes the writer; never
    /// blocks. False when there is no room: the line is dropped and counted.
    /// </summary>
    public bool TryEnqueue(ReadOnlySpan<byte> line)
    {
        int recordBytes = Align(HeaderBytes + line.Length);
        long head = _head;
        int offset = (int)(head % _ring.Length);
        int skipped = offset + recordBytes > _ring.Length ? _ring.Length - offset : 0;
        if (recordBytes > _ring.Length / 2 || head + skipped + recordBytes - Volatile.Read(ref _tail) > _ring.Length)
        {
            Volatile.Write(ref _droppedTotal, _droppedTotal + 1);
            WakeWriterIfAsleep();
            return false;
        }
        if (skipped > 0)
        {
            BinaryPrimitives.WriteInt32LittleEndian(_ring.AsSpan(offset), WrapRecord);
            offset = 0;
        }
        Span<byte> record = _ring.AsSpan(offset, recordBytes);
        BinaryPrimitives.WriteInt32LittleEndian(record, line.Length);
        BinaryPrimitives.WriteInt64LittleEndian(record[sizeof(int)..], _droppedTotal);
        line.CopyTo(record[HeaderBytes..]);
        Volatile.Write(ref _head, head + skipped + recordBytes);
        WakeWriterIfAsleep();
        return true;
    }

    /// <summary>
    /// The eventfd write (and the wake-up of the other core it causes) is most of an enqueue's cost, so it is made
    /// only when the writer may be going to sleep. Both sides publish, fence, then read the other's flag (Dekker):
    /// either the writer's re-check sees what the loop just published, or the loop sees the writer's flag and signals.
    /// </summary>
    private void WakeWriterIfAsleep()
    {
        Interlocked.MemoryBarrier();
        if (Volatile.Read(ref _writerSleeping) != 0)
        {
            _wake.Signal();
        }
    }

    /// <summary>
    /// Asks the writer to drain what is queued and end; waits up to <paramref name="timeoutMs"/> for it. True when
    /// everything was written; false when the stream is still blocked (the thread is a background thread: it never
    /// holds up the process's exit).
    /// </summary>
    public bool Stop(int timeoutMs)
    {
        _stopping = true;
        _wake.Signal();
        return _thread.Join(timeoutMs);
    }

    /// <summary>Stops with the bounded drain (<see cref="DrainTimeoutMs"/>).</summary>
    public void Dispose()
    {
        _ = Stop(DrainTimeoutMs);
        // Closing the eventfd (or the socket) while a blocked writer still holds a reference defers the close to its
        // exit (SafeHandle reference count), so its number cannot be reused under it.
        _wake.Dispose();
        _socket?.Dispose();
    }

    private static int Align(int bytes) => (bytes + 3) & ~3;

    private void Run()
    {
        var wait = new WakeSet(1);
        try
        {
            wait.Add(_wakeFd, WakeSet.Readable);
            while (true)
            {
                // Read before draining: every line queued before the stop request is then seen by this drain.
                bool stopping = _stopping;
                Drain();
                AnnounceTrailingDrops();
                Volatile.Write(ref _writerAllocatedBytes, GC.GetAllocatedBytesForCurrentThread());
                if (stopping)
                {
                    return;
                }
                _ = Interlocked.Exchange(ref _writerSleeping, 1);
                if (Volatile.Read(ref _head) == _tail && Volatile.Read(ref _droppedTotal) == _announcedDrops && !_stopping)
                {
                    _ = wait.Wait(-1, out _);
                    _ = _wake.Drain();
                }
                Volatile.Write(ref _writerSleeping, 0);
            }
        }
        finally
        {
            wait.Dispose();
            _wake.DangerousRelease();
            _socket?.DangerousRelease();
        }
    }

    private void Drain()
    {
        long tail = _tail;
        long head = Volatile.Read(ref _head);
        while (tail < head)
        {
            int offset = (int)(tail % _ring.Length);
            int length = BinaryPrimitives.ReadInt32LittleEndian(_ring.AsSpan(offset));
            if (length == WrapRecord)
            {
                tail += _ring.Length - offset;
            }
            else
            {
                long droppedBefore = BinaryPrimitives.ReadInt64LittleEndian(_ring.AsSpan(offset + sizeof(int)));
                if (droppedBefore > _announcedDrops)
                {
                    AnnounceDrops(droppedBefore);
                }
                WriteLine(_ring.AsSpan(offset + HeaderBytes, length));
                tail += Align(HeaderBytes + length);
            }
            // Only now may the loop reuse the bytes: the line is out (or lost).
            Volatile.Write(ref _tail, tail);
        }
    }

    /// <summary>
    /// Drops that no queued line follows yet. The count is read before the head: the loop published every line it
    /// queued before such a drop, so if the ring is then empty, every line before the gap has been written.
    /// </summary>
    private void AnnounceTrailingDrops()
    {
        long dropped = Volatile.Read(ref _droppedTotal);
        if (dropped > _announcedDrops && Volatile.Read(ref _head) == _tail)
        {
            AnnounceDrops(dropped);
        }
    }

    private void AnnounceDrops(long droppedTotal)
    {
        WriteLine(_own.Begin("events-dropped"u8, EventLog.Warning).Field("dropped"u8, droppedTotal - _announcedDrops).Field("dropped_total"u8, droppedTotal).Finish());
        _announcedDrops = droppedTotal;
    }

    private void WriteLine(ReadOnlySpan<byte> line)
    {
        if (_socket is not null)
        {
            SendEntry(line);
            return;
        }
        WriteToStream(line);
    }

    private void SendEntry(ReadOnlySpan<byte> entry)
    {
        bool reconnected = false;
        while (true)
        {
            JournalSendOutcome outcome = _socket!.Send(entry, out int errno);
            if (outcome == JournalSendOutcome.Sent)
            {
                Volatile.Write(ref _writerAllocatedBytes, GC.GetAllocatedBytesForCurrentThread());
                Volatile.Write(ref _linesWritten, _linesWritten + 1);
                return;
            }
            if (outcome == JournalSendOutcome.WouldBlock)
            {
                // journald is not reading: wait here, on this thread, until its queue has room. The entry stays in the
                // ring meanwhile, so the loop finds the ring full and drops and counts what does not fit.
                if (!_socket.WaitWritable(-1))
                {
                    // poll itself failed (EINTR, ENOMEM): do not spin on it.
                    Thread.Sleep(10);
                }
                continue;
            }
            if (outcome == JournalSendOutcome.Interrupted)
            {
                continue;
            }
            if (outcome == JournalSendOutcome.PeerGone && !reconnected)
            {
                // A restarted journald listens on a new socket at the same path.
                reconnected = true;
                if (_socket.Reconnect(out errno))
                {
                    continue;
                }
            }
            WriteFallback(entry, errno);
            return;
        }
    }

    /// <summary>
    /// An entry the socket refused, as the line it carries, on the stream: "&lt;N&gt;" and the text (or the JSON line
    /// alone), as without the socket. The entry starts "MESSAGE=line\nPRIORITY=N\n" (EventLog.Begin).
    /// </summary>
    private void WriteFallback(ReadOnlySpan<byte> entry, int errno)
    {
        if (!_fallbackWarned)
        {
            _fallbackWarned = true;
            WriteToStream(_ownStream!.Begin("warning"u8, EventLog.Warning).Field("what"u8, "journal"u8).Field("errno"u8, errno)
                .Field("detail"u8, "the journal's socket refused an event: such events go to stdout as lines, without REAPD_ fields"u8).Finish());
        }
        ReadOnlySpan<byte> rest = entry["MESSAGE="u8.Length..];
        int end = rest.IndexOf((byte)'\n');
        ReadOnlySpan<byte> message = rest[..end];
        ReadOnlySpan<byte> priority = rest[(end + 1 + "PRIORITY="u8.Length)..];
        priority = priority[..priority.IndexOf((byte)'\n')];
        Span<byte> line = _fallbackLine;
        int length = 0;
        if (!Json)
        {
            line[length++] = (byte)'<';
            priority.CopyTo(line[length..]);
            length += priority.Length;
            line[length++] = (byte)'>';
        }
        message.CopyTo(line[length..]);
        length += message.Length;
        line[length++] = (byte)'\n';
        Volatile.Write(ref _journalFallbackLines, _journalFallbackLines + 1);
        WriteToStream(line[..length]);
    }

    private void WriteToStream(ReadOnlySpan<byte> line)
    {
        try
        {
            _stream.Write(line);
            Volatile.Write(ref _writerAllocatedBytes, GC.GetAllocatedBytesForCurrentThread());
            Volatile.Write(ref _linesWritten, _linesWritten + 1);
        }
        catch (IOException)
        {
            Volatile.Write(ref _lineWriteFailures, _lineWriteFailures + 1);
        }
        catch (ObjectDisposedException)
        {
            // The process is exiting and closed stdout while this thread was blocked in a write.
            Volatile.Write(ref _lineWriteFailures, _lineWriteFailures + 1);
        }
    }
}
