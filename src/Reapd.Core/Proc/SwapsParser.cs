namespace Reapd.Core.Proc;

/// <summary>
/// Parses /proc/swaps ("Filename Type Size Used Priority", sizes in KiB) and zram's mm_stat. A file name may hold
/// blanks (the kernel escapes them as \040, and a name could still end in anything), so a line is split from the
/// right: priority, used, size, type; what is left is the name.
/// </summary>
public static class SwapsParser
{
    /// <summary>
    /// Fills <paramref name="devices"/> with the active swap areas; returns how many (at most its length; more are left
    /// out) or -1 when a line is malformed. Allocation-free.
    /// </summary>
    public static int TryParse(ReadOnlySpan<byte> text, Span<SwapDevice> devices)
    {
        int count = 0;
        bool header = true;
        while (!text.IsEmpty)
        {
            ReadOnlySpan<byte> line = Ascii.NextLine(ref text).TrimEnd(" \t"u8);
            if (header)
            {
                header = false;
                if (line.StartsWith("Filename"u8))
                {
                    continue;
                }
            }
            if (line.IsEmpty)
            {
                continue;
            }
            if (!TakeLast(ref line, out ReadOnlySpan<byte> priority) || !TakeLast(ref line, out ReadOnlySpan<byte> used)
                || !TakeLast(ref line, out ReadOnlySpan<byte> size) || !TakeLast(ref line, out _) || line.IsEmpty
                || !Ascii.TryParseInt32(priority, out _) || !Ascii.TryParseInt64(used, out long usedKiB)
                || !Ascii.TryParseInt64(size, out long sizeKiB))
            {
                return -1;
            }
            if (count == devices.Length)
            {
                continue;
            }
            devices[count++] = new SwapDevice { SizeKiB = sizeKiB, UsedKiB = usedKiB, ZramIndex = ZramIndex(line.TrimEnd(" \t"u8)) };
        }
        return count;
    }

    /// <summary>N for "/dev/zramN", else -1.</summary>
    public static int ZramIndex(ReadOnlySpan<byte> name)
    {
        ReadOnlySpan<byte> prefix = "/dev/zram"u8;
        return name.StartsWith(prefix) && Ascii.TryParseInt32(name[prefix.Length..], out int index) && index >= 0 ? index : -1;
    }

    /// <summary>
    /// mm_stat: "orig_data_size compr_data_size mem_used_total mem_limit mem_used_max same_pages pages_compacted
    /// huge_pages [huge_pages_since]" (bytes, then page counts). Kernels since 4.7 print at least the first eight.
    /// </summary>
    public static bool TryParseMmStat(ReadOnlySpan<byte> text, out ZramMmStat stat)
    {
        stat = default;
        Span<long> fields = stackalloc long[4];
        text = text.Trim(" \t\n"u8);
        for (int i = 0; i < fields.Length; i++)
        {
            int end = text.IndexOfAny(" \t"u8);
            ReadOnlySpan<byte> field = end < 0 ? text : text[..end];
            if (!Ascii.TryParseInt64(field, out fields[i]) || fields[i] < 0)
            {
                return false;
            }
            text = end < 0 ? [] : text[end..].TrimStart(" \t"u8);
        }
        stat = new ZramMmStat { OrigDataBytes = fields[0], ComprDataBytes = fields[1], MemUsedTotalBytes = fields[2], MemLimitBytes = fields[3], Known = true };
        return true;
    }

    private static bool TakeLast(ref ReadOnlySpan<byte> line, out ReadOnlySpan<byte> field)
    {
        line = line.TrimEnd(" \t"u8);
        int start = line.LastIndexOfAny(" \t"u8);
        if (start < 0)
        {
            field = default;
            return false;
        }
        field = line[(start + 1)..];
        line = line[..start];
        return true;
    }
}
