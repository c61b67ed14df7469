namespace Reapd.Core.Proc;

/// <summary>
/// What reapd reads of /proc/zoneinfo: the kernel's reserves and the per-CPU free lists.
///
/// An upper bound on the kernel's totalreserve_pages (docs/kernel.md, "A lower bound on MemAvailable"). The kernel
/// computes it (mm/page_alloc.c, calculate_totalreserve_pages) as the sum over zones of min(managed, the zone's largest
/// lowmem_reserve + its high watermark), the high watermark taken with whatever watermark boost the zone had at that
/// moment. zoneinfo prints per zone "high" (boost included), "boost", "managed" and "protection: (lowmem_reserve...)";
/// the boost at the moment the kernel computed the sum is not known, so the bound adds the largest boost the zone can
/// have (boost_watermark: max(one pageblock, high × watermark_boost_factor / 10000)). An over-estimate of the reserve
/// only lowers the bound on available memory: it stays a bound.
///
/// And the pages on the per-CPU lists with what the zones keep free at their low watermarks
/// (<see cref="TryReadPerCpuLists"/>), for the credit of a victim's freed pages (docs/kernel.md, "Pages on the per-CPU
/// lists are free to neither").
/// </summary>
public static class ZoneReserveParser
{
    /// <summary>
    /// The reserve in pages, or -1 when the text holds no zone or a zone line is malformed.
    /// <paramref name="boostFactor"/>: /proc/sys/vm/watermark_boost_factor (0: boosting off);
    /// <paramref name="pageblockPages"/>: pages per pageblock (512 with 4 KiB pages and 2 MiB pageblocks).
    /// </summary>
    public static long ReservePages(ReadOnlySpan<byte> text, long boostFactor, long pageblockPages) =>
        TryParse(text, boostFactor, pageblockPages, out Sums sums) && sums.Zones > 0 ? sums.ReservePages : -1;

    /// <summary>
    /// The free pages on the per-CPU lists of every zone (the sum of each pageset's "count:") and the free pages the
    /// zones keep at their low watermarks, each zone's "low" (boost included) plus its largest "protection" entry (the
    /// lowmem reserve a higher zone's allocation must leave it), at most its managed pages: the free count at which
    /// every zone is at its low watermark for an ordinary allocation and the kernel reclaims. False when the text holds
    /// no pageset or a count, watermark or protection is malformed. Listed pages are in no free-page counter: not in
    /// sysinfo's freeram, MemFree or MemAvailable.
    /// </summary>
    public static bool TryReadPerCpuLists(ReadOnlySpan<byte> text, out long listPages, out long lowKeptPages)
    {
        bool ok = TryParse(text, boostFactor: 0, pageblockPages: 1, out Sums sums) && sums.Counts > 0;
        listPages = ok ? sums.ListPages : 0;
        lowKeptPages = ok ? sums.LowKeptPages : 0;
        return ok;
    }

    private struct Sums
    {
        public int Zones;
        public int Counts;
        public long ReservePages;
        public long ListPages;
        public long LowKeptPages;
    }

    /// <summary>One zone's figures while its lines are read.</summary>
    private struct Zone
    {
        public long High;
        public long Boost;
        public long Low;
        public long Managed;
        public long MaxProtection;
    }

    /// <summary>One pass over the text; false when a line reapd reads is malformed.</summary>
    private static bool TryParse(ReadOnlySpan<byte> text, long boostFactor, long pageblockPages, out Sums sums)
    {
        sums = default;
        Zone zone = default;
        bool inZone = false;
        while (!text.IsEmpty)
        {
            ReadOnlySpan<byte> line = Ascii.NextLine(ref text).Trim(" \t"u8);
            if (line.StartsWith("Node "u8) && line.IndexOf("zone"u8) >= 0)
            {
                if (inZone)
                {
                    Add(ref sums, zone, boostFactor, pageblockPages);
                }
                inZone = true;
                zone = default;
                continue;
            }
            if (!inZone)
            {
                continue;
            }
            if (line.StartsWith("protection:"u8))
            {
                if (!TryMaxOfList(line["protection:"u8.Length..], out zone.MaxProtection))
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
            if (key.SequenceEqual("high"u8))
            {
                ok = Ascii.TryParseInt64(value, out zone.High);
            }
            else if (key.SequenceEqual("boost"u8))
            {
                ok = Ascii.TryParseInt64(value, out zone.Boost);
            }
            else if (key.SequenceEqual("low"u8))
            {
                ok = Ascii.TryParseInt64(value, out zone.Low);
            }
            else if (key.SequenceEqual("managed"u8))
            {
                ok = Ascii.TryParseInt64(value, out zone.Managed);
            }
            else if (key.SequenceEqual("count:"u8))
            {
                ok = Ascii.TryParseInt64(value, out long count) && count >= 0;
                sums.ListPages += count;
                sums.Counts++;
            }
            if (!ok)
            {
                return false;
            }
        }
        if (inZone)
        {
            Add(ref sums, zone, boostFactor, pageblockPages);
        }
        return true;
    }

    private static void Add(ref Sums sums, in Zone zone, long boostFactor, long pageblockPages)
    {
        sums.Zones++;
        long unboostedHigh = Math.Max(0, zone.High - zone.Boost);
        long maxBoost = boostFactor > 0 ? Math.Max(pageblockPages, unboostedHigh * boostFactor / 10000) : 0;
        sums.ReservePages += Math.Min(zone.Managed, zone.MaxProtection + unboostedHigh + maxBoost);
        sums.LowKeptPages += Math.Min(zone.Managed, zone.Low + zone.MaxProtection);
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
