using System.Globalization;
using Reapd.Core.Decision;

namespace Reapd.Core.Daemon;

/// <summary>
/// What reapd tells its service manager in STATUS= (`systemctl status reapd` shows it): available memory, where it
/// stands against the lines, and the victim in flight. Pure: built from a sample and the core's state, formatted
/// into a caller's buffer without allocating, and sent only when it changed in a way a reader cares about.
/// </summary>
public readonly record struct ServiceStatus(long AvailableBytes, long TotalBytes, PressureLevel Level, VictimPhase Phase, int VictimPid)
{
    /// <summary>A status line fits in this many bytes ("STATUS=" included).</summary>
    public const int MaxBytes = 192;

    /// <summary>A change of available memory alone is worth a new status when it moved by this share of the total (1/32, about 3 %)...</summary>
    public const int AvailableStepDivisor = 32;

    /// <summary>...and the last status is at least this old, so a memory reading that hovers does not send a line every cycle.</summary>
    public const long AvailableMinIntervalMs = 2_000;

    /// <summary>Any change of the MiB shown is sent after this long, so the status is never stale by more than a minute.</summary>
    public const long RefreshIntervalMs = 60_000;

    public static ServiceStatus From(in MemorySample sample, DaemonConfig config, VictimPhase phase, int victimPid) =>
        new(sample.AvailableBytes, sample.TotalBytes, PressureAssessment.Assess(sample, config), phase, phase == VictimPhase.None ? 0 : victimPid);

    /// <summary>
    /// Whether <paramref name="now"/> is worth sending after <paramref name="sent"/> went out <paramref name="msSinceSent"/>
    /// ago: a new level or victim at once; available memory when it moved by a 32nd of the total (at most every 2 s);
    /// any other change of the shown MiB once a minute.
    /// </summary>
    public static bool IsWorthSending(in ServiceStatus sent, in ServiceStatus now, long msSinceSent)
    {
        if (sent.Level != now.Level || sent.Phase != now.Phase || sent.VictimPid != now.VictimPid || sent.TotalBytes != now.TotalBytes)
        {
            return true;
        }
        long moved = Math.Abs(now.AvailableBytes - sent.AvailableBytes);
        if (moved >= Math.Max(now.TotalBytes / AvailableStepDivisor, 1L << 20) && msSinceSent >= AvailableMinIntervalMs)
        {
            return true;
        }
        return msSinceSent >= RefreshIntervalMs && Mib(now.AvailableBytes) != Mib(sent.AvailableBytes);
    }

    /// <summary>
    /// Writes "STATUS=available 812 MiB of 1468 MiB (55%), ok (term 10%, kill 5%), no victim" into
    /// <paramref name="destination"/> (at least <see cref="MaxBytes"/>); returns the length.
    /// </summary>
    public int Format(Span<byte> destination, double termPercent, double killPercent)
    {
        var writer = new Utf8Line(destination);
        writer.Append("STATUS=available "u8);
        writer.Append(Mib(AvailableBytes));
        writer.Append(" MiB of "u8);
        writer.Append(Mib(TotalBytes));
        writer.Append(" MiB ("u8);
        writer.Append(TotalBytes > 0 ? AvailableBytes * 100 / TotalBytes : 0);
        writer.Append("%), "u8);
        writer.Append(Level switch
        {
            PressureLevel.Term => "term level"u8,
            PressureLevel.Kill => "kill level"u8,
            _ => "ok"u8,
        });
        writer.Append(" (term "u8);
        writer.Append(termPercent);
        writer.Append("%, kill "u8);
        writer.Append(killPercent);
        writer.Append("%), "u8);
        switch (Phase)
        {
            case VictimPhase.Terminating:
                writer.Append("victim "u8);
                writer.Append(VictimPid);
                writer.Append(" SIGTERMed, in its grace"u8);
                break;
            case VictimPhase.Killed:
                writer.Append("victim "u8);
                writer.Append(VictimPid);
                writer.Append(" SIGKILLed, its memory coming back"u8);
                break;
            default:
                writer.Append("no victim"u8);
                break;
        }
        return writer.Length;
    }

    private static long Mib(long bytes) => bytes >> 20;

    /// <summary>Appends to a fixed buffer; what does not fit is cut (the buffer is sized for the longest line).</summary>
    private ref struct Utf8Line(Span<byte> buffer)
    {
        private readonly Span<byte> _buffer = buffer;

        public int Length { get; private set; }

        public void Append(ReadOnlySpan<byte> text)
        {
            int n = Math.Min(text.Length, _buffer.Length - Length);
            text[..n].CopyTo(_buffer[Length..]);
            Length += n;
        }

        public void Append(long value)
        {
            if (value.TryFormat(_buffer[Length..], out int written, default, CultureInfo.InvariantCulture))
            {
                Length += written;
            }
        }

        public void Append(double value)
        {
            if (value.TryFormat(_buffer[Length..], out int written, "0.##", CultureInfo.InvariantCulture))
            {
                Length += written;
            }
        }
    }
}
