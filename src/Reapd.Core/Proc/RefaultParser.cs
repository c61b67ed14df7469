namespace Reapd.Core.Proc;

/// <summary>
/// The refault count in /proc/vmstat or a cgroup2 memory.stat ("key value" lines): pages faulted back in soon after
/// reclaim evicted them (the kernel's workingset detection, mm/workingset.c), anonymous and file together. Since 5.9
/// the two kinds are separate counters (workingset_refault_anon, workingset_refault_file); before, one
/// (workingset_refault) counted file pages only. The thrash condition reads the kinds apart, with the swap traffic.
/// </summary>
public static class RefaultParser
{
    /// <summary>
    /// The refaults by kind and the swap traffic. False when the text has no refault counter at all or one of these
    /// counters is malformed; a counter the file lacks is -1 (pswpin and pswpout are in /proc/vmstat always, in a
    /// cgroup2 memory.stat only since 6.13; workingset_refault_anon since 5.9).
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> text, out RefaultCounters counters)
    {
        long anon = -1, file = -1, swapIns = -1, swapOuts = -1, zswapIns = -1, zswapOuts = -1;
        counters = RefaultCounters.Unread;
        while (!text.IsEmpty)
        {
            ReadOnlySpan<byte> line = Ascii.NextLine(ref text);
            int space = line.IndexOf((byte)' ');
            if (space <= 0)
            {
                continue;
            }
            ReadOnlySpan<byte> key = line[..space];
            ref long slot = ref anon;
            if (key.SequenceEqual("workingset_refault_anon"u8))
            {
                slot = ref anon;
            }
            else if (key.SequenceEqual("workingset_refault_file"u8) || key.SequenceEqual("workingset_refault"u8))
            {
                slot = ref file;
            }
            else if (key.SequenceEqual("pswpin"u8))
            {
                slot = ref swapIns;
            }
            else if (key.SequenceEqual("pswpout"u8))
            {
                slot = ref swapOuts;
            }
            else if (key.SequenceEqual("zswpin"u8))
            {
                slot = ref zswapIns;
            }
            else if (key.SequenceEqual("zswpout"u8))
            {
                slot = ref zswapOuts;
            }
            else
            {
                continue;
            }
            if (!Ascii.TryParseInt64(line[(space + 1)..].Trim(" \t"u8), out long count) || count < 0)
            {
                return false;
            }
            slot = count;
        }
        if (anon < 0 && file < 0)
        {
            return false;
        }
        // A page zswap stores or loads counts as zswpout/zswpin and not as pswpout/pswpin (mm/page_io.c): with zswap
        // on, a working set cycling through memory shows there. Without pswpin the file does not count the swap
        // traffic (zswap alone would miss the disk's share), so both stay unknown.
        counters = new RefaultCounters(anon, file,
            swapIns < 0 ? -1 : swapIns + Math.Max(0, zswapIns),
            swapOuts < 0 ? -1 : swapOuts + Math.Max(0, zswapOuts));
        return true;
    }
}
