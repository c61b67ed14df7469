using System.Buffers.Binary;
using System.Globalization;
using Reapd.Core.Daemon;
using Reapd.Core.Decision;
using Reapd.Core.Replay;
using Reapd.Core.Selection;

namespace Reapd.Daemon;

/// <summary>
/// `reapd run --record FILE`: the decision core's tap (<see cref="IDecisionTap"/>) that writes every input and every
/// command to FILE for `reapd replay` (docs/reliability.md, "Record and replay").
/// <para>
/// The loop thread only encodes a record into a preallocated buffer and copies it into a byte ring; a writer thread
/// of its own drains the ring to the file. When the ring is full the record is dropped and counted, and a Dropped
/// record marks the gap, so the loop never waits for the disk. Quiet samples are not all kept: a sample that found
/// the core idle and made it emit nothing is written only when it differs from the last one written (available
/// memory or free swap moved by 1 % of the total, the stall share by a point, the totals changed) or 10 s have
/// passed, so an idle day costs kilobytes; every sample that came with or led to a decision is written. The file is
/// bounded: a segment that has grown past a quarter of the cap is rotated to FILE.1 at the next idle sample, and at
/// half the cap in any case, each segment starting with the full header, so FILE and FILE.1 together stay under it.
/// Allocation-free on the loop thread (the quiet cycle test covers a recording daemon); owns the file and the thread.
/// </para>
/// </summary>
internal sealed class DecisionRecorder : IDecisionTap, IDisposable
{
    public const long DefaultMaxBytes = 16L << 20;
    public const long HeartbeatMs = 10_000;

    // Room for a few thousand samples or a few large scans; touched only as used.
    private const int RingBytes = 1 << 20;
    private const int MaxRecordBytes = 256 * 1024;
    private const int WrapMarker = -1;
    // A ring entry: its length, whether it is an idle point (a rotation may start a segment there), how many records
    // were dropped right before it, the record. The count travels with the record that follows the gap, so marking
    // a gap never needs room of its own in a full ring; the writer thread turns it into a Dropped record.
    private const int EntryHeaderBytes = 16;

    private readonly string _path;
    private readonly long _maxBytes;
    private readonly IReadOnlyList<KeyValuePair<string, string>> _header;
    private readonly RecordEncoder _encoder = new(MaxRecordBytes);
    // Writer thread only: the Dropped records it writes.
    private readonly RecordEncoder _gapEncoder = new(32);
    private readonly byte[] _ring = new byte[RingBytes];
    private readonly ManualResetEventSlim _wake = new(false);
    private readonly Thread _thread;
    private FileStream _file;
    private long _segmentBytes;
    private int _segment;

    // Loop thread only.
    private long _head;
    private long _unreportedDrops;
    private MemorySample _pending;
    private bool _hasPending;
    private int _pendingWake;
    private MemorySample _lastWritten;
    private bool _haveWritten;
    // Written by the writer thread after the bytes before it are out.
    private long _tail;
    private volatile bool _stopping;
    // Drops no record followed, handed to the writer at the stop.
    private long _finalDrops;

    private DecisionRecorder(string path, long maxBytes, IReadOnlyList<KeyValuePair<string, string>> header, FileStream file)
    {
        _path = path;
        _maxBytes = maxBytes;
        _header = header;
        _file = file;
        _thread = new Thread(WriterLoop) { IsBackground = true, Name = "reapd record" };
    }

    /// <summary>What woke the loop for the sample that comes next (the loop sets it before feeding the core).</summary>
    public int Wake { get; set; }

    /// <summary>Records dropped because the ring was full (loop thread's count).</summary>
    public long DroppedTotal { get; private set; }

    /// <summary>Quiet samples left out by design.</summary>
    public long SkippedSamples { get; private set; }

    /// <summary>Why writing the file stopped, when it did (the writer thread sets it once).</summary>
    public string? WriteError { get; private set; }

    /// <summary>Opens FILE (truncating it) and writes its header; null and one line when it cannot be written.</summary>
    public static DecisionRecorder? TryStart(string path, long maxBytes, DaemonConfig config, string scope, out string? error)
    {
        var header = new List<KeyValuePair<string, string>>
        {
            new("format", RecordFormat.Version.ToString(CultureInfo.InvariantCulture)),
            new("reapd", ReapdVersion.Text),
            new("scope", scope),
            new("boot_id", ReadLine("/proc/sys/kernel/random/boot_id")),
            new("kernel", ReadLine("/proc/sys/kernel/osrelease")),
            new("started_utc", DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture)),
            new("started_monotonic_ms", MonotonicClock.NowMs.ToString(CultureInfo.InvariantCulture)),
            new("max_bytes", maxBytes.ToString(CultureInfo.InvariantCulture)),
        };
        header.AddRange(RecordedConfig.Write(config));
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 64 * 1024);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error = $"--record {path}: {e.Message}";
            return null;
        }
        var recorder = new DecisionRecorder(path, maxBytes, header, file);
        recorder.StartSegment();
        recorder._thread.Start();
        error = null;
        return recorder;
    }

    public void Sampled(in MemorySample sample, bool busy)
    {
        if (_hasPending)
        {
            ConsiderPending(sample.TimeMs);
        }
        if (busy)
        {
            WriteSample(sample, busy: true, Wake);
            return;
        }
        _pending = sample;
        _pendingWake = Wake;
        _hasPending = true;
    }

    public void Scanned(ReadOnlySpan<RankedVictim> ranked, long nowMs)
    {
        FlushPending();
        Enqueue(_encoder.EncodeScanned(ranked, nowMs), idlePoint: false);
    }

    public void Signalled(SignalResult result, int liveSharers, long nowMs)
    {
        FlushPending();
        Enqueue(_encoder.EncodeSignalled(result, liveSharers, nowMs), idlePoint: false);
    }

    public void ReapAnswered(ReapObservation observation, long nowMs)
    {
        FlushPending();
        Enqueue(_encoder.EncodeReapAnswered(observation, nowMs), idlePoint: false);
    }

    public void Exited(bool victimExited, int liveSharers, long nowMs)
    {
        FlushPending();
        Enqueue(_encoder.EncodeExited(victimExited, liveSharers, nowMs), idlePoint: false);
    }

    /// <summary>
    /// A reload: the new settings, so a replay decides with them from here on as the daemon did. Off the hot path (a
    /// SIGHUP), so the settings' text may be built here.
    /// </summary>
    public void Reconfigured(DaemonConfig config)
    {
        FlushPending();
        var text = new System.Text.StringBuilder();
        foreach (KeyValuePair<string, string> setting in RecordedConfig.Write(config))
        {
            text.Append(setting.Key).Append('=').Append(setting.Value).Append('\n');
        }
        Enqueue(_encoder.EncodeReconfigured(MonotonicClock.NowMs, System.Text.Encoding.UTF8.GetBytes(text.ToString())), idlePoint: false);
    }

    public void Adopted(VictimId victim, VictimPhase phase, long signalledMs, long heldBytes, long availableBytes, long nowMs)
    {
        FlushPending();
        Enqueue(_encoder.EncodeAdopted(victim, phase, signalledMs, heldBytes, availableBytes, nowMs), idlePoint: false);
    }

    /// <summary>The names of the candidates the scan answer that follows holds (the actuator calls it right before OnScanned).</summary>
    public void ScanNames(ReadOnlySpan<Candidate> candidates)
    {
        FlushPending();
        Enqueue(_encoder.EncodeScanNames(candidates), idlePoint: false);
    }

    public void Emitted(in Command command)
    {
        // The sample that led to this command is written first, so the file keeps the order: input, its commands.
        FlushPending();
        Enqueue(_encoder.EncodeCommand(command), idlePoint: false);
    }

    /// <summary>
    /// A pending sample made the core emit nothing and found it idle: dropping it changes no replay with the same
    /// configuration. It is kept anyway when it tells something new, so a replay with other levels sees the curve.
    /// </summary>
    private void ConsiderPending(long nowMs)
    {
        MemorySample p = _pending;
        MemorySample last = _lastWritten;
        bool meaningful = !_haveWritten
            || p.TotalBytes != last.TotalBytes || p.SwapTotalBytes != last.SwapTotalBytes || p.Psi.Present != last.Psi.Present
            || Math.Abs(p.AvailableBytes - last.AvailableBytes) >= p.TotalBytes / 100
            || (p.SwapTotalBytes > 0 && Math.Abs(p.SwapFreeBytes - last.SwapFreeBytes) >= p.SwapTotalBytes / 100)
            || Math.Abs(p.PsiFullWindowPercent - last.PsiFullWindowPercent) >= 1
            || Math.Abs(p.PsiSomeWindowPercent - last.PsiSomeWindowPercent) >= 1
            || nowMs - last.TimeMs >= HeartbeatMs;
        if (meaningful)
        {
            FlushPending();
        }
        else
        {
            _hasPending = false;
            SkippedSamples++;
        }
    }

    private void FlushPending()
    {
        if (_hasPending)
        {
            _hasPending = false;
            WriteSample(_pending, busy: false, _pendingWake);
        }
    }

    private void WriteSample(in MemorySample sample, bool busy, int wake)
    {
        _lastWritten = sample;
        _haveWritten = true;
        Enqueue(_encoder.EncodeSample(sample, busy, wake), idlePoint: !busy);
    }

    private void Enqueue(bool encoded, bool idlePoint)
    {
        // Only a scan of thousands of candidates could exceed the buffer; it is cut at MaxRankedRecorded first.
        if (encoded && TryCopyIn(_encoder.Record, idlePoint, _unreportedDrops))
        {
            _unreportedDrops = 0;
            return;
        }
        Drop();
    }

    private void Drop()
    {
        _unreportedDrops++;
        DroppedTotal++;
    }

    private bool TryCopyIn(ReadOnlySpan<byte> record, bool idlePoint, long dropsBefore)
    {
        int needed = Align4(EntryHeaderBytes + record.Length);
        long head = _head;
        long used = head - Volatile.Read(ref _tail);
        int offset = (int)(head % RingBytes);
        int toEnd = RingBytes - offset;
        int skip = toEnd < needed ? toEnd : 0;
        if (RingBytes - used < needed + skip)
        {
            return false;
        }
        if (skip > 0)
        {
            BinaryPrimitives.WriteInt32LittleEndian(_ring.AsSpan(offset), WrapMarker);
            head += skip;
            offset = 0;
        }
        BinaryPrimitives.WriteInt32LittleEndian(_ring.AsSpan(offset), record.Length);
        BinaryPrimitives.WriteInt32LittleEndian(_ring.AsSpan(offset + 4), idlePoint ? 1 : 0);
        BinaryPrimitives.WriteInt64LittleEndian(_ring.AsSpan(offset + 8), dropsBefore);
        record.CopyTo(_ring.AsSpan(offset + EntryHeaderBytes));
        Volatile.Write(ref _head, head + needed);
        _wake.Set();
        return true;
    }

    private static int Align4(int bytes) => (bytes + 3) & ~3;

    private void WriterLoop()
    {
        long tail = _tail;
        while (true)
        {
            long head = Volatile.Read(ref _head);
            if (tail == head)
            {
                if (_stopping)
                {
                    break;
                }
                Flush();
                _wake.Wait(1000);
                _wake.Reset();
                continue;
            }
            int offset = (int)(tail % RingBytes);
            int length = BinaryPrimitives.ReadInt32LittleEndian(_ring.AsSpan(offset));
            if (length == WrapMarker)
            {
                tail += RingBytes - offset;
                Volatile.Write(ref _tail, tail);
                continue;
            }
            bool idlePoint = BinaryPrimitives.ReadInt32LittleEndian(_ring.AsSpan(offset + 4)) != 0;
            long dropsBefore = BinaryPrimitives.ReadInt64LittleEndian(_ring.AsSpan(offset + 8));
            if (dropsBefore > 0 && _gapEncoder.EncodeDropped(dropsBefore))
            {
                Write(_gapEncoder.Record, idlePoint: false);
            }
            Write(_ring.AsSpan(offset + EntryHeaderBytes, length), idlePoint);
            tail += Align4(EntryHeaderBytes + length);
            Volatile.Write(ref _tail, tail);
        }
        long finalDrops = Volatile.Read(ref _finalDrops);
        if (finalDrops > 0 && _gapEncoder.EncodeDropped(finalDrops))
        {
            Write(_gapEncoder.Record, idlePoint: false);
        }
        Flush();
    }

    private void Write(ReadOnlySpan<byte> record, bool idlePoint)
    {
        if (WriteError is not null)
        {
            return;
        }
        try
        {
            if ((idlePoint && _segmentBytes >= _maxBytes / 4) || _segmentBytes + record.Length > _maxBytes / 2)
            {
                Rotate();
            }
            _file.Write(record);
            _segmentBytes += record.Length;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ObjectDisposedException)
        {
            WriteError = e.Message;
        }
    }

    private void Flush()
    {
        if (WriteError is not null)
        {
            return;
        }
        try
        {
            _file.Flush();
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            WriteError = e.Message;
        }
    }

    /// <summary>FILE becomes FILE.1 (the previous FILE.1 goes), and a new FILE starts with the header.</summary>
    private void Rotate()
    {
        _file.Dispose();
        File.Move(_path, _path + ".1", overwrite: true);
        _file = new FileStream(_path, FileMode.Create, FileAccess.Write, FileShare.Read, 64 * 1024);
        _segment++;
        StartSegment();
    }

    private void StartSegment()
    {
        var fields = new List<KeyValuePair<string, string>>(_header) { new("segment", _segment.ToString(CultureInfo.InvariantCulture)) };
        byte[] header = RecordFormat.Header(fields);
        _file.Write(header);
        _segmentBytes = header.Length;
    }

    private static string ReadLine(string path)
    {
        try
        {
            return File.ReadAllText(path).Trim();
        }
        catch (IOException)
        {
            return "unknown";
        }
    }

    public void Dispose()
    {
        if (_stopping)
        {
            return;
        }
        // The last quiet sample is written too, so the recording ends with the state the daemon stopped in.
        FlushPending();
        Volatile.Write(ref _finalDrops, _unreportedDrops);
        _stopping = true;
        _wake.Set();
        if (_thread.Join(EventWriter.DrainTimeoutMs))
        {
            _file.Dispose();
            _wake.Dispose();
        }
        // Otherwise the writer is stuck in the disk: it keeps the file, and the process exit closes it.
    }
}
