namespace Reapd.Core.Proc;

/// <summary>
/// An upper bound on the kernel's totalreserve_pages from /proc/zoneinfo (docs/kernel.md, "A lower bound on
/// MemAvailable"). The kernel computes it (mm/page_alloc.c, calculate_totalreserve_pages) as the sum over zones of
/// min(managed, the zone's largest lowmem_reserve + its high watermark), the high watermark taken with whatever
/// watermark boost the zone had at that moment. zoneinfo prints per zone "high" (boost included), "boost", "managed"
/// and "protection: (lowmem_reserve...)"; the boost at the moment the kernel computed the sum is not known, so the
/// bound adds the largest boost the zone can have (boost_watermark: max(one pageblock, high × watermark_boost_factor /
/// 10000)). An over-estimate of the reserve only lowers the bound on available memory: it stays a bound.
/// </summary>
public static class ZoneReserveParser
{
    /// <summary>
    /// The reserve in pages, or -1 when the text holds no zone or a zone line is malformed.
    /// <paramref name="boostFactor"/>: /proc/sys/vm/watermark_boost_factor (0: boosting off);
    /// <paramref name="pageblockPages"/>: pages per pageblock (512 with 4 KiB pages and 2 MiB pageblocks).
    /// </summary>
    public static long ReservePages(ReadOnlySpan<byte> text, long boostFactor, long pageblockPages)
    {
        long total = 0;
        bool inZone = false, sawZone = false;
        long high = 0, boost = 0, managed = 0, maxProtection = 0;
        while (!text.IsEmpty)
        {
            ReadOnlySpan<byte> line = Ascii.NextLine(ref text).Trim(" \t"u8);
            if (line.StartsWith("Node "u8) && line.IndexOf("zone"u8) >= 0)
            {
                if (inZone)
                {
                    total += ZoneReserve(high, boost, managed, maxProtection, boostFactor, pageblockPages);
                }
                inZone = sawZone = true;
                high = boost = managed = maxProtection = 0;
                continue;
            }
            if (!inZone)
            {
                continue;
            }
            if (line.StartsWith("protection:"u8))
            {
                if (!TryMaxOfList(line["protection:"u8.Length..], out maxProtection))
                {
                    return -1;
                }
                continue;
            }
            int blank = line.IndexOfAny(" \t"u8);
            if (blank < 0)
            {
                continue;
            }
            ReadOnlySpan<byte> key = line[..blank];
            ReadOnlySpan<byte> value = line[blank..].Trim(" \t"u8);
            bool ok = true;
            if (key.SequenceEqual("high"u8))
            {
                ok = Ascii.TryParseInt64(value, out high);
            }
            else if (key.SequenceEqual("boost"u8))
            {
                ok = Ascii.TryParseInt64(value, out boost);
            }
            else if (key.SequenceEqual("managed"u8))
            {
                ok = Ascii.TryParseInt64(value, out managed);
            }
            if (!ok)
            {
                return -1;
            }
        }
        if (inZone)
        {
            total += ZoneReserve(high, boost, managed, maxProtection, boostFactor, pageblockPages);
        }
        return sawZone ? total : -1;
    }

    /// <summary>
    /// The free pages on the per-CPU lists of every zone (the sum of each pageset's "count:") and the free pages the
    /// zones keep at their low watermarks, each zone's "low" (boost included) plus its largest "protection" entry (the
    /// lowmem reserve a higher zone's allocation must leave it), at most its managed pages: the free count at which
    /// every zone is at its low watermark for an ordinary allocation and the kernel reclaims. False when the text holds
    /// no pageset or a count, watermark or protection is malformed. Listed pages are in no free-page counter: not in
    /// sysinfo's freeram, MemFree or MemAvailable (docs/kernel.md, "Pages on the per-CPU lists are free to neither").
    /// </summary>
    public static bool TryReadPerCpuLists(ReadOnlySpan<byte> text, out long listPages, out long lowKeptPages)
    {
        listPages = lowKeptPages = 0;
        bool sawCount = false, inZone = false;
        long low = 0, managed = 0, maxProtection = 0;
        while (!text.IsEmpty)
        {
            ReadOnlySpan<byte> line = Ascii.NextLine(ref text).Trim(" \t"u8);
            if (line.StartsWith("Node "u8) && line.IndexOf("zone"u8) >= 0)
            {
                if (inZone)
                {
                    lowKeptPages += Math.Min(managed, low + maxProtection);
                }
                inZone = true;
                low = managed = maxProtection = 0;
                continue;
            }
            if (line.StartsWith("protection:"u8))
            {
                if (!TryMaxOfList(line["protection:"u8.Length..], out maxProtection))
                {
                    return false;
                }
                continue;
            }
            int blank = line.IndexOfAny(" \t"u8);
            if (blank < 0)
            {
                continue;
            }
            ReadOnlySpan<byte> key = line[..blank];
            ReadOnlySpan<byte> value = line[blank..].Trim(" \t"u8);
            bool ok = true;
            if (key.SequenceEqual("count:"u8))
            {
                ok = Ascii.TryParseInt64(value, out long count) && count >= 0;
                listPages += count;
                sawCount = true;
            }
            else if (key.SequenceEqual("low"u8))
            {
                ok = Ascii.TryParseInt64(value, out low);
            }
            else if (key.SequenceEqual("managed"u8))
            {
                ok = Ascii.TryParseInt64(value, out managed);
            }
            if (!ok)
            {
                return false;
            }
        }
        if (inZone)
        {
            lowKeptPages += Math.Min(managed, low + maxProtection);
        }
        return sawCount;
    }

    private static long ZoneReserve(long high, long boost, long managed, long maxProtection, long boostFactor, long pageblockPages)
    {
        long unboostedHigh = Math.Max(0, high - boost);
        long maxBoost = boostFactor > 0 ? Math.Max(pageblockPages, unboostedHigh * boostFactor / 10000) : 0;
        return Math.Min(managed, maxProtection + unboostedHigh + maxBoost);
    }

    /// <summary>The largest number of "(a, b, c)".</summary>
    private static bool TryMaxOfList(ReadOnlySpan<byte> list, out long max)
    {
        max = 0;
        list = list.Trim(" \t()"u8);
        while (!list.IsEmpty)
        {
            int comma = list.IndexOf((byte)',');
            ReadOnlySpan<byte> item = (comma < 0 ? list : list[..comma]).Trim(" \t)"u8);
            if (!Ascii.TryParseInt64(item, out long value))
            {
                return false;
            }
            max = Math.Max(max, value);
            list = comma < 0 ? [] : list[(comma + 1)..];
        }
        return true;
    }
}
