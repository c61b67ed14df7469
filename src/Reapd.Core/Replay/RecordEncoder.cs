using System.Buffers.Binary;
using Reapd.Core.Daemon;
using Reapd.Core.Decision;
using Reapd.Core.Selection;

namespace Reapd.Core.Replay;

/// <summary>
/// Encodes one record into a preallocated buffer, allocation-free: a kind byte, the payload's length (a LEB128
/// varint) and the payload, whose integers are zigzag varints (small numbers take one byte, times and byte counts
/// five or six). False when the record does not fit the buffer.
/// </summary>
public sealed class RecordEncoder
{
    /// <summary>The most candidates one scan record keeps (the core's choice needs the top few; a retarget looks for the victim).</summary>
    public const int MaxRankedRecorded = 4096;

    private readonly byte[] _buffer;
    private int _length;
    private bool _overflow;

    public RecordEncoder(int capacityBytes)
    {
        _buffer = new byte[capacityBytes];
    }

    /// <summary>The last record encoded (valid until the next Encode call).</summary>
    public ReadOnlySpan<byte> Record => _buffer.AsSpan(0, _length);

    public bool EncodeSample(in MemorySample sample, bool busy, int wake)
    {
        Begin(RecordKind.Sample);
        Long(sample.TimeMs);
        // Each optional field is written only when its bit is set, so a recording made before a bit existed reads as before.
        Long((busy ? 1 : 0) | (sample.Psi.Present ? 2 : 0) | (sample.PsiFullWindowPercent >= 0 ? 4 : 0)
            | (sample.PsiFullHeldMs != 0 ? 8 : 0) | (sample.PsiSomeWindowPercent >= 0 ? 16 : 0)
            | (sample.RawSwapFreeBytes >= 0 ? 32 : 0) | (sample.AvailableIsLowerBound ? 64 : 0)
            | (sample.ThrashFullPercent >= 0 ? 128 : 0) | (sample.ListCreditBytes > 0 ? 256 : 0));
        Long(sample.AvailableBytes);
        Long(sample.TotalBytes);
        Long(sample.SwapFreeBytes);
        Long(sample.SwapTotalBytes);
        if (sample.Psi.Present)
        {
            Long(sample.Psi.SomeTotalUs);
            Long(sample.Psi.FullTotalUs);
            Double(sample.Psi.SomeAvg10);
            Double(sample.Psi.FullAvg10);
        }
        if (sample.PsiFullWindowPercent >= 0)
        {
            Double(sample.PsiFullWindowPercent);
        }
        if (sample.PsiFullHeldMs != 0)
        {
            Long(sample.PsiFullHeldMs);
        }
        if (sample.PsiSomeWindowPercent >= 0)
        {
            Double(sample.PsiSomeWindowPercent);
            Long(sample.PsiSomeHeldMs);
        }
        if (sample.RawSwapFreeBytes >= 0)
        {
            Long(sample.RawSwapFreeBytes);
        }
        if (sample.ThrashFullPercent >= 0)
        {
            Double(sample.ThrashFullPercent);
            Double(sample.ThrashRefaultsPerSecond);
            Long(sample.ThrashHeldMs);
        }
        if (sample.ListCreditBytes > 0)
        {
            Long(sample.ListCreditBytes);
        }
        Long(wake);
        return End();
    }

    public bool EncodeScanned(ReadOnlySpan<RankedVictim> ranked, long nowMs)
    {
        Begin(RecordKind.Scanned);
        Long(nowMs);
        int kept = Math.Min(ranked.Length, MaxRankedRecorded);
        Long(ranked.Length);
        Long(kept);
        for (int i = 0; i < kept; i++)
        {
            Long(ranked[i].Id.Pid);
            Long((long)ranked[i].Id.StartTimeTicks);
            Long(ranked[i].HeldBytes);
            Long(ranked[i].ShmemBytes);
        }
        return End();
    }

    public bool EncodeSignalled(SignalResult result, int liveSharers, long nowMs)
    {
        Begin(RecordKind.Signalled);
        Long(nowMs);
        Long((long)result);
        Long(liveSharers);
        return End();
    }

    public bool EncodeReapAnswered(ReapObservation observation, long nowMs)
    {
        Begin(RecordKind.ReapAnswered);
        Long(nowMs);
        Long((long)observation);
        return End();
    }

    public bool EncodeExited(bool victimExited, int liveSharers, long nowMs)
    {
        Begin(RecordKind.Exited);
        Long(nowMs);
        Long(victimExited ? 1 : 0);
        Long(liveSharers);
        return End();
    }

    public bool EncodeCommand(in Command command)
    {
        Begin(RecordKind.Command);
        Long((long)command.Kind);
        Long(command.Victim.Pid);
        Long((long)command.Victim.StartTimeTicks);
        Long((long)command.Signal);
        Long((long)command.Purpose);
        if (command.Kind == CommandKind.Report)
        {
            DecisionReport r = command.Report;
            Long((long)r.Kind);
            Long(r.Victim.Pid);
            Long((long)r.Victim.StartTimeTicks);
            Long((long)r.Decision);
            Long((long)r.Reason);
            Long((long)r.Level);
            Long(r.ChoiceIndex);
            Long(r.ExcludedCount);
            Long(r.CandidateCount);
            Long((long)r.Cause);
            Long(r.InFlightMs);
            Long(r.HeldBytes);
            Long(r.HeldNowBytes);
            Long(r.RecoveredBytes);
            // The trigger's condition rides in bits 3 and up: a recording made before it existed reads as None.
            Long((r.Reaped ? 1 : 0) | (r.Gone ? 2 : 0) | (r.Excluded ? 4 : 0) | ((int)r.Condition << 3));
        }
        return End();
    }

    /// <summary>A reload: the new settings as the header's "config.KEY=VALUE" lines (<see cref="RecordedConfig"/>), UTF-8.</summary>
    public bool EncodeReconfigured(long nowMs, ReadOnlySpan<byte> settingsUtf8)
    {
        Begin(RecordKind.Reconfigured);
        Long(nowMs);
        Bytes(settingsUtf8);
        return End();
    }

    /// <summary>The arguments of <see cref="DecisionCore.AdoptInFlight"/>.</summary>
    public bool EncodeAdopted(VictimId victim, VictimPhase phase, long signalledMs, long heldBytes, long availableBytes, long nowMs)
    {
        Begin(RecordKind.Adopted);
        Long(nowMs);
        Long(victim.Pid);
        Long((long)victim.StartTimeTicks);
        Long((long)phase);
        Long(signalledMs);
        Long(heldBytes);
        Long(availableBytes);
        return End();
    }

    /// <summary>The comm of each of the first candidates (as many as <see cref="EncodeScanned"/> keeps), in ranking order.</summary>
    public bool EncodeScanNames(ReadOnlySpan<Candidate> candidates)
    {
        Begin(RecordKind.ScanNames);
        int kept = Math.Min(candidates.Length, MaxRankedRecorded);
        Long(kept);
        for (int i = 0; i < kept; i++)
        {
            Bytes(candidates[i].Name.Utf8);
        }
        return End();
    }

    public bool EncodeDropped(long records)
    {
        Begin(RecordKind.Dropped);
        Long(records);
        return End();
    }

    // The payload starts after a fixed 5-byte gap for its length, which End() closes up once the length is known.
    private const int LengthRoom = 5;

    private void Begin(RecordKind kind)
    {
        _overflow = false;
        _buffer[0] = (byte)kind;
        _length = 1 + LengthRoom;
    }

    private bool End()
    {
        if (_overflow)
        {
            _length = 0;
            return false;
        }
        int payload = _length - 1 - LengthRoom;
        Span<byte> prefix = stackalloc byte[LengthRoom];
        int prefixLength = WriteVarint(prefix, (ulong)payload);
        _buffer.AsSpan(1 + LengthRoom, payload).CopyTo(_buffer.AsSpan(1 + prefixLength));
        prefix[..prefixLength].CopyTo(_buffer.AsSpan(1));
        _length = 1 + prefixLength + payload;
        return true;
    }

    private void Long(long value)
    {
        if (_buffer.Length - _length < 10)
        {
            _overflow = true;
            return;
        }
        _length += WriteVarint(_buffer.AsSpan(_length), (ulong)((value << 1) ^ (value >> 63)));
    }

    private void Bytes(ReadOnlySpan<byte> value)
    {
        Long(value.Length);
        if (_buffer.Length - _length < value.Length)
        {
            _overflow = true;
            return;
        }
        value.CopyTo(_buffer.AsSpan(_length));
        _length += value.Length;
    }

    private void Double(double value)
    {
        if (_buffer.Length - _length < 8)
        {
            _overflow = true;
            return;
        }
        BinaryPrimitives.WriteDoubleLittleEndian(_buffer.AsSpan(_length), value);
        _length += 8;
    }

    internal static int WriteVarint(Span<byte> destination, ulong value)
    {
        int i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }
        destination[i++] = (byte)value;
        return i;
    }
}
