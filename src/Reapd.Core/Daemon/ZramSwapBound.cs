using Reapd.Core.Proc;

namespace Reapd.Core.Daemon;

/// <summary>
/// Free swap as zram can really provide it (docs/kernel.md, "zram: free swap that is not free"). Swapping a page to
/// zram frees the page and keeps its contents compressed in memory the device takes from the machine: at any ratio
/// above 1 each page swapped out leaves memory free, so what is available now does not bound zram. Two things do:
/// <list type="bullet">
/// <item>what can still be swapped out: the anonymous pages on the LRU lists, Active(anon) + Inactive(anon) in
/// /proc/meminfo (locked pages sit on the Unevictable list and are not counted there), plus the memory still
/// available, which allocations turn into anonymous pages. A free slot with no page left to put in it absorbs
/// nothing; the available part keeps a machine with little anonymous memory and much free memory from looking out
/// of swap.</item>
/// <item>the device's mem_limit: at most (limit − memory it uses) × its compression ratio more uncompressed bytes
/// (a write past the limit fails and the page stays in memory).</item>
/// </list>
/// A zram area can take min(free slots, the limit's room × ratio); all zram areas together at most what can still be
/// swapped out (they draw on the same pages). Disk and file areas count their free slots. With less than
/// <see cref="MinStoredForRatioBytes"/> stored the ratio is not measurable and <see cref="AssumedRatio"/> stands in.
/// </summary>
public static class ZramSwapBound
{
    /// <summary>Below this much stored data the device's ratio is noise (a few pages), not a measurement.</summary>
    public const long MinStoredForRatioBytes = 1L << 20;

    /// <summary>The ratio assumed for a device that stores (almost) nothing yet: about what lzo-rle and lz4 reach on typical anonymous memory.</summary>
    public const double AssumedRatio = 2.0;

    /// <summary>
    /// What one zram device can still store by its own limits, in uncompressed bytes: its free slots, and with a
    /// mem_limit no more than the limit's room at the measured ratio. A disk area (or a zram device whose mm_stat was
    /// not read): its free slots.
    /// </summary>
    public static long DeviceRoomBytes(in SwapDevice device)
    {
        long freeSlotsBytes = device.FreeBytes;
        if (!device.IsZram || !device.Zram.Known || device.Zram.MemLimitBytes <= 0)
        {
            return freeSlotsBytes;
        }
        ZramMmStat z = device.Zram;
        long roomBytes = Math.Max(0, z.MemLimitBytes - z.MemUsedTotalBytes);
        double storable = roomBytes * Ratio(z);
        return storable >= freeSlotsBytes ? freeSlotsBytes : (long)storable;
    }

    /// <summary>
    /// What the zram areas among <paramref name="devices"/> can still absorb: the sum of their rooms, and no more than
    /// <paramref name="swappableBytes"/> (Active(anon) + Inactive(anon) + MemAvailable).
    /// </summary>
    public static long ZramFreeBytes(ReadOnlySpan<SwapDevice> devices, long swappableBytes)
    {
        long room = 0;
        foreach (ref readonly SwapDevice device in devices)
        {
            if (device.IsZram)
            {
                room += DeviceRoomBytes(device);
            }
        }
        return Math.Min(room, Math.Max(0, swappableBytes));
    }

    /// <summary>Effective free swap over <paramref name="devices"/>: disk areas' free slots plus <see cref="ZramFreeBytes"/>.</summary>
    public static long EffectiveFreeBytes(ReadOnlySpan<SwapDevice> devices, long swappableBytes)
    {
        long disk = 0;
        foreach (ref readonly SwapDevice device in devices)
        {
            if (!device.IsZram)
            {
                disk += device.FreeBytes;
            }
        }
        return disk + ZramFreeBytes(devices, swappableBytes);
    }

    /// <summary>What can still be swapped out, from one /proc/meminfo reading: Active(anon) + Inactive(anon) + MemAvailable.</summary>
    public static long SwappableBytes(in MemInfo info) => (info.ActiveAnonKiB + info.InactiveAnonKiB + info.MemAvailableKiB) * 1024;

    /// <summary>Uncompressed bytes stored per byte of memory the device holds (its allocator's overhead included).</summary>
    public static double Ratio(in ZramMmStat z) =>
        z.OrigDataBytes >= MinStoredForRatioBytes && z.MemUsedTotalBytes > 0 ? (double)z.OrigDataBytes / z.MemUsedTotalBytes : AssumedRatio;
}
