using System.Buffers.Binary;
using System.Text;
using Reapd.Core.Daemon;
using Reapd.Core.Decision;

namespace Reapd.Core.Replay;

/// <summary>
/// Reads a recording (<see cref="RecordFormat"/>). Anything wrong — another file, another version, a record cut
/// short, an unknown record type, a value out of range — is one description with the byte offset, never an exception.
/// </summary>
public static class RecordReader
{
    public static Recording? TryRead(ReadOnlySpan<byte> data, out string? error)
    {
        error = null;
        if (!data.StartsWith(RecordFormat.Magic))
        {
            error = "not a reapd recording (it does not start with REAPDREC)";
            return null;
        }
        var cursor = new Cursor(data, RecordFormat.Magic.Length);
        if (!cursor.TryByte(out byte version))
        {
            error = "truncated at byte 8: the format version is missing";
            return null;
        }
        if (version != RecordFormat.Version)
        {
            error = $"format version {version}, this reapd reads version {RecordFormat.Version}";
            return null;
        }
        if (!cursor.TryVarint(out ulong headerLength) || headerLength > (ulong)(data.Length - cursor.Position))
        {
            error = $"truncated at byte {cursor.Position}: the header is cut short";
            return null;
        }
        var header = new Dictionary<string, string>(StringComparer.Ordinal);
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(data.Slice(cursor.Position, (int)headerLength));
        }
        catch (DecoderFallbackException)
        {
            error = $"corrupt header at byte {cursor.Position}: not UTF-8";
            return null;
        }
        foreach (string line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            int equals = line.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                error = $"corrupt header at byte {cursor.Position}: the line '{line}' is not key=value";
                return null;
            }
            header[line[..equals]] = line[(equals + 1)..];
        }
        cursor.Position += (int)headerLength;

        var events = new List<RecordedEvent>();
        while (cursor.Position < data.Length)
        {
            int offset = cursor.Position;
            if (!cursor.TryByte(out byte kind) || !cursor.TryVarint(out ulong length) || length > (ulong)(data.Length - cursor.Position))
            {
                error = $"truncated at byte {offset}: the last record is cut short (the recording was not closed, or the file was cut)";
                return null;
            }
            var payload = new Cursor(data.Slice(cursor.Position, (int)length), 0);
            cursor.Position += (int)length;
            RecordedEvent? recorded = ReadRecord((RecordKind)kind, offset, ref payload, out string? problem);
            if (recorded is null || payload.Position != payload.Length)
            {
                error = $"corrupt record at byte {offset}: {problem ?? $"{payload.Length - payload.Position} bytes left over in a {(RecordKind)kind} record"}";
                return null;
            }
            events.Add(recorded);
        }
        return new Recording(header, events);
    }

    private static RecordedEvent? ReadRecord(RecordKind kind, long offset, ref Cursor p, out string? problem)
    {
        problem = "a field is cut short";
        switch (kind)
        {
            case RecordKind.Sample:
            {
                if (!p.TryLong(out long time) || !p.TryLong(out long flags) || !p.TryLong(out long available) || !p.TryLong(out long total)
                    || !p.TryLong(out long swapFree) || !p.TryLong(out long swapTotal))
                {
                    return null;
                }
                PsiReading psi = PsiReading.None;
                if ((flags & 2) != 0)
                {
                    if (!p.TryLong(out long some) || !p.TryLong(out long full) || !p.TryDouble(out double someAvg) || !p.TryDouble(out double fullAvg))
                    {
                        return null;
                    }
                    psi = new PsiReading(true, some, full, someAvg, fullAvg);
                }
                double window = -1;
                if ((flags & 4) != 0 && !p.TryDouble(out window))
                {
                    return null;
                }
                long fullHeld = 0, someHeld = 0, rawSwapFree = -1;
                double someWindow = -1;
                if (((flags & 8) != 0 && !p.TryLong(out fullHeld))
                    || ((flags & 16) != 0 && (!p.TryDouble(out someWindow) || !p.TryLong(out someHeld)))
                    || ((flags & 32) != 0 && !p.TryLong(out rawSwapFree)))
                {
                    return null;
                }
                double thrashFull = -1, thrashRefaults = -1;
                long thrashHeld = -1;
                if ((flags & 128) != 0 && (!p.TryDouble(out thrashFull) || !p.TryDouble(out thrashRefaults) || !p.TryLong(out thrashHeld)))
                {
                    return null;
                }
                long listCredit = 0;
                if ((flags & 256) != 0 && !p.TryLong(out listCredit))
                {
                    return null;
                }
                if (!p.TryLong(out long wake))
                {
                    return null;
                }
                var sample = new MemorySample(time, available, total, swapFree, swapTotal, psi)
                {
                    PsiFullWindowPercent = window,
                    PsiFullHeldMs = fullHeld,
                    PsiSomeWindowPercent = someWindow,
                    PsiSomeHeldMs = someHeld,
                    RawSwapFreeBytes = rawSwapFree,
                    AvailableIsLowerBound = (flags & 64) != 0,
                    ThrashFullPercent = thrashFull,
                    ThrashRefaultsPerSecond = thrashRefaults,
                    ThrashHeldMs = thrashHeld,
                    ListCreditBytes = listCredit,
                };
                return new RecordedEvent(kind, offset) { TimeMs = time, Sample = sample, Busy = (flags & 1) != 0, Wake = (int)wake };
            }
            case RecordKind.Scanned:
            {
                if (!p.TryLong(out long time) || !p.TryLong(out long total) || !p.TryLong(out long kept))
                {
                    return null;
                }
                // Each candidate takes at least 4 bytes: a count above that is corruption, not a reason to allocate.
                if (kept < 0 || kept > RecordEncoder.MaxRankedRecorded || kept > total || kept * 4 > p.Length - p.Position)
                {
                    problem = $"a scan of {kept} candidates (of {total}) does not fit the record";
                    return null;
                }
                var ranked = new RankedVictim[kept];
                for (int i = 0; i < kept; i++)
                {
                    if (!p.TryLong(out long pid) || !p.TryLong(out long start) || !p.TryLong(out long held) || !p.TryLong(out long shmem))
                    {
                        return null;
                    }
                    ranked[i] = new RankedVictim(new VictimId((int)pid, (ulong)start), held, shmem);
                }
                return new RecordedEvent(kind, offset) { TimeMs = time, Ranked = ranked, RankedTotal = (int)total };
            }
            case RecordKind.Signalled:
            {
                if (!p.TryLong(out long time) || !p.TryEnum(out SignalResult result, ref problem) || !p.TryLong(out long sharers))
                {
                    return null;
                }
                return new RecordedEvent(kind, offset) { TimeMs = time, Signal = result, LiveSharers = (int)sharers };
            }
            case RecordKind.ReapAnswered:
            {
                if (!p.TryLong(out long time) || !p.TryEnum(out ReapObservation observation, ref problem))
                {
                    return null;
                }
                return new RecordedEvent(kind, offset) { TimeMs = time, Reap = observation };
            }
            case RecordKind.Exited:
            {
                if (!p.TryLong(out long time) || !p.TryLong(out long exited) || !p.TryLong(out long sharers))
                {
                    return null;
                }
                return new RecordedEvent(kind, offset) { TimeMs = time, VictimExited = exited != 0, LiveSharers = (int)sharers };
            }
            case RecordKind.Command:
            {
                if (!p.TryEnum(out CommandKind commandKind, ref problem) || !p.TryLong(out long pid) || !p.TryLong(out long start)
                    || !p.TryEnum(out KillSignal signal, ref problem) || !p.TryEnum(out ScanPurpose purpose, ref problem))
                {
                    return null;
                }
                DecisionReport report = default;
                if (commandKind == CommandKind.Report)
                {
                    if (!p.TryEnum(out ReportKind reportKind, ref problem) || !p.TryLong(out long reportPid) || !p.TryLong(out long reportStart)
                        || !p.TryEnum(out DecisionKind decision, ref problem) || !p.TryEnum(out DecisionReason reason, ref problem)
                        || !p.TryEnum(out PressureLevel level, ref problem) || !p.TryLong(out long choiceIndex) || !p.TryLong(out long excluded)
                        || !p.TryLong(out long candidates) || !p.TryEnum(out SettleCause cause, ref problem) || !p.TryLong(out long inFlightMs)
                        || !p.TryLong(out long held) || !p.TryLong(out long heldNow) || !p.TryLong(out long recovered) || !p.TryLong(out long bits))
                    {
                        return null;
                    }
                    report = new DecisionReport(reportKind, new VictimId((int)reportPid, (ulong)reportStart), decision, reason, level,
                        (int)choiceIndex, (int)excluded, (int)candidates, cause, inFlightMs, held, heldNow, recovered,
                        (bits & 1) != 0, (bits & 2) != 0, (bits & 4) != 0, (PressureCondition)((bits >> 3) & 0xff));
                }
                var command = new Command(commandKind, new VictimId((int)pid, (ulong)start), signal, purpose, report);
                return new RecordedEvent(kind, offset) { Command = command };
            }
            case RecordKind.Reconfigured:
            {
                if (!p.TryLong(out long time) || !p.TryBytes(out ReadOnlySpan<byte> settings))
                {
                    return null;
                }
                string text;
                try
                {
                    text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(settings);
                }
                catch (DecoderFallbackException)
                {
                    problem = "the reloaded settings are not UTF-8";
                    return null;
                }
                var lines = new Dictionary<string, string>(StringComparer.Ordinal);
                foreach (string line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
                {
                    int equals = line.IndexOf('=', StringComparison.Ordinal);
                    if (equals <= 0)
                    {
                        problem = $"the reloaded settings' line '{line}' is not key=value";
                        return null;
                    }
                    lines[line[..equals]] = line[(equals + 1)..];
                }
                DaemonConfig? config = RecordedConfig.TryRead(lines, out string? bad);
                if (config is null)
                {
                    problem = $"the reloaded settings: {bad}";
                    return null;
                }
                return new RecordedEvent(kind, offset) { TimeMs = time, Config = config };
            }
            case RecordKind.Adopted:
            {
                if (!p.TryLong(out long time) || !p.TryLong(out long pid) || !p.TryLong(out long start) || !p.TryEnum(out VictimPhase phase, ref problem)
                    || !p.TryLong(out long signalled) || !p.TryLong(out long held) || !p.TryLong(out long available))
                {
                    return null;
                }
                if (phase == VictimPhase.None || pid <= 0 || pid > int.MaxValue)
                {
                    problem = $"an adopted victim of pid {pid} in phase {phase}";
                    return null;
                }
                return new RecordedEvent(kind, offset)
                {
                    TimeMs = time, Victim = new VictimId((int)pid, (ulong)start), Phase = phase, SignalledMs = signalled, HeldBytes = held, AvailableBytes = available,
                };
            }
            case RecordKind.ScanNames:
            {
                // Each name takes at least its length byte: a count above that is corruption, not a reason to allocate.
                if (!p.TryLong(out long count) || count < 0 || count > RecordEncoder.MaxRankedRecorded || count > p.Length - p.Position)
                {
                    problem = "the count of scan names does not fit the record";
                    return null;
                }
                var names = new string[count];
                var utf8 = new UTF8Encoding(false, throwOnInvalidBytes: false);
                for (int i = 0; i < count; i++)
                {
                    if (!p.TryBytes(out ReadOnlySpan<byte> name))
                    {
                        return null;
                    }
                    names[i] = utf8.GetString(name);
                }
                return new RecordedEvent(kind, offset) { Names = names };
            }
            case RecordKind.Dropped:
            {
                if (!p.TryLong(out long dropped))
                {
                    return null;
                }
                return new RecordedEvent(kind, offset) { DroppedRecords = dropped };
            }
            default:
                problem = $"unknown record type {(byte)kind}";
                return null;
        }
    }

    private ref struct Cursor(ReadOnlySpan<byte> data, int position)
    {
        private readonly ReadOnlySpan<byte> _data = data;
        public int Position = position;

        public readonly int Length => _data.Length;

        public bool TryByte(out byte value)
        {
            if (Position >= _data.Length)
            {
                value = 0;
                return false;
            }
            value = _data[Position++];
            return true;
        }

        public bool TryVarint(out ulong value)
        {
            value = 0;
            for (int shift = 0; shift < 70; shift += 7)
            {
                if (!TryByte(out byte b))
                {
                    return false;
                }
                value |= (ulong)(b & 0x7f) << shift;
                if (b < 0x80)
                {
                    return true;
                }
            }
            return false;
        }

        public bool TryLong(out long value)
        {
            bool ok = TryVarint(out ulong zigzag);
            value = (long)(zigzag >> 1) ^ -(long)(zigzag & 1);
            return ok;
        }

        public bool TryBytes(out ReadOnlySpan<byte> value)
        {
            value = default;
            if (!TryLong(out long length) || length < 0 || length > _data.Length - Position)
            {
                return false;
            }
            value = _data.Slice(Position, (int)length);
            Position += (int)length;
            return true;
        }

        public bool TryDouble(out double value)
        {
            if (_data.Length - Position < 8)
            {
                value = 0;
                return false;
            }
            value = BinaryPrimitives.ReadDoubleLittleEndian(_data[Position..]);
            Position += 8;
            return true;
        }

        public bool TryEnum<T>(out T value, ref string? problem) where T : struct, Enum
        {
            value = default;
            if (!TryLong(out long number))
            {
                return false;
            }
            if (number is < 0 or > 255)
            {
                problem = $"{typeof(T).Name} value {number} is unknown";
                return false;
            }
            value = (T)Enum.ToObject(typeof(T), number);
            if (!Enum.IsDefined(value))
            {
                problem = $"{typeof(T).Name} value {number} is unknown";
                return false;
            }
            return true;
        }
    }
}
