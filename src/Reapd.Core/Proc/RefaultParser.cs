namespace Reapd.Core.Proc;

/// <summary>
/// The refault count in /proc/vmstat or a cgroup2 memory.stat ("key value" lines): pages faulted back in soon after
/// reclaim evicted them (the kernel's workingset detection, mm/workingset.c), anonymous and file together. Since 5.9
/// the two kinds are separate counters (workingset_refault_anon, workingset_refault_file); before, one
/// (workingset_refault) counted file pages only.
/// </summary>
public static class RefaultParser
{
    /// <summary>False when the text has none of the counters or one is malformed.</summary>
    public static bool TryParse(ReadOnlySpan<byte> text, out long refaults)
    {
        refaults = 0;
        bool seen = false;
        while (!text.IsEmpty)
        {
            ReadOnlySpan<byte> line = Ascii.NextLine(ref text);
            int space = line.IndexOf((byte)' ');
            if (space <= 0)
            {
                continue;
            }
            ReadOnlySpan<byte> key = line[..space];
            if (key.SequenceEqual("workingset_refault_anon"u8) || key.SequenceEqual("workingset_refault_file"u8)
                || key.SequenceEqual("workingset_refault"u8))
            {
                if (!Ascii.TryParseInt64(line[(space + 1)..].Trim(" \t"u8), out long count) || count < 0)
                {
                    return false;
                }
                refaults += count;
                seen = true;
            }
        }
        return seen;
    }
}
