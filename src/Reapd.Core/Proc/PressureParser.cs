namespace Reapd.Core.Proc;

/// <summary>Parses "some avg10=0.82 avg60=0.19 avg300=0.04 total=252882" lines, then the same for "full".</summary>
public static class PressureParser
{
    public static bool TryParse(ReadOnlySpan<byte> text, out Pressure pressure)
    {
        pressure = default;
        bool sawSome = false;
        while (!text.IsEmpty)
        {
            ReadOnlySpan<byte> line = Ascii.NextLine(ref text);
            if (line.StartsWith("some "u8))
            {
                if (!TryParseLine(line[5..], out pressure.Some))
                {
                    return false;
                }
                sawSome = true;
            }
            else if (line.StartsWith("full "u8))
            {
                if (!TryParseLine(line[5..], out pressure.Full))
                {
                    return false;
                }
                pressure.HasFull = true;
            }
        }
        return sawSome;
    }

    private static bool TryParseLine(ReadOnlySpan<byte> fields, out PressureLine line)
    {
        line = default;
        int seen = 0;
        while (!fields.IsEmpty)
        {
            fields = fields.TrimStart((byte)' ');
            int end = fields.IndexOf((byte)' ');
            ReadOnlySpan<byte> field = end < 0 ? fields : fields[..end];
            fields = end < 0 ? [] : fields[(end + 1)..];
            int equals = field.IndexOf((byte)'=');
            if (equals < 0)
            {
                continue;
            }
            ReadOnlySpan<byte> key = field[..equals];
            ReadOnlySpan<byte> value = field[(equals + 1)..];
            bool ok = true;
            if (key.SequenceEqual("avg10"u8))
            {
                ok = TryParseAverage(value, out line.Avg10Percent);
                seen |= 1;
            }
            else if (key.SequenceEqual("avg60"u8))
            {
                ok = TryParseAverage(value, out line.Avg60Percent);
                seen |= 2;
            }
            else if (key.SequenceEqual("avg300"u8))
            {
                ok = TryParseAverage(value, out line.Avg300Percent);
                seen |= 4;
            }
            else if (key.SequenceEqual("total"u8))
            {
                ok = Ascii.TryParseUInt64(value, out line.TotalStallUs);
                seen |= 8;
            }
            if (!ok)
            {
                return false;
            }
        }
        return seen == 15;
    }

    /// <summary>
    /// A running average of the stall share, printed as "%lu.%02lu" (kernel/sched/psi.c psi_show): a percentage from 0
    /// to 100. The floating-point parser also takes "-1", "1e308" and "700"; none of them is a share of time.
    /// </summary>
    private static bool TryParseAverage(ReadOnlySpan<byte> value, out double percent) =>
        Ascii.TryParseDouble(value, out percent) && percent is >= 0 and <= 100;
}
