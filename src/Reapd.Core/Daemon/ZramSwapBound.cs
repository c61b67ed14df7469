using Reapd.Core.Proc;

namespace Reapd.Core.Daemon;

/// <summary>
/// Free swap as zram can really provide it (docs/kernel.md, "zram: free swap that is not free"). A zram device keeps
/// what is swapped to it compressed in RAM, so a free slot is worth something only while there is memory to hold the
/// page compressed: a device can still take at most its remaining memory (its mem_limit less what it uses, and never
/// more than the memory available) times its current compression ratio (uncompressed bytes stored per byte of memory
/// it holds). Effective free swap is the sum over the active swap areas of min(free slots, that); a disk or file area
/// counts its free slots. With less than <see cref="MinStoredForRatioBytes"/> stored the ratio is not measurable and
/// <see cref="AssumedRatio"/> stands in.
/// </summary>
public static class ZramSwapBound
{
    /// <summary>Below this much stored data the device's ratio is noise (a few pages), not a measurement.</summary>
    public const long MinStoredForRatioBytes = 1L << 20;

    /// <summary>The ratio assumed for a device that stores (almost) nothing yet: about what lzo-rle and lz4 reach on typical anonymous memory.</summary>
    public const double AssumedRatio = 2.0;

    /// <summary>What one zram device can still store, in uncompressed bytes: min(its free slots, room × ratio).</summary>
    public static long DeviceFreeBytes(in SwapDevice device, long availableBytes)
    {
        long freeSlotsBytes = device.FreeBytes;
        if (!device.IsZram || !device.Zram.Known)
        {
            return freeSlotsBytes;
        }
        ZramMmStat z = device.Zram;
        long roomBytes = Math.Max(0, availableBytes);
        if (z.MemLimitBytes > 0)
        {
            roomBytes = Math.Min(roomBytes, Math.Max(0, z.MemLimitBytes - z.MemUsedTotalBytes));
        }
        double ratio = z.OrigDataBytes >= MinStoredForRatioBytes && z.MemUsedTotalBytes > 0
            ? (double)z.OrigDataBytes / z.MemUsedTotalBytes
            : AssumedRatio;
        double storable = roomBytes * ratio;
        return storable >= freeSlotsBytes ? freeSlotsBytes : (long)storable;
    }

    /// <summary>The sum over <paramref name="devices"/> (one reading of /proc/swaps and each zram device's mm_stat).</summary>
    public static long EffectiveFreeBytes(ReadOnlySpan<SwapDevice> devices, long availableBytes)
    {
        long total = 0;
        foreach (ref readonly SwapDevice device in devices)
        {
            total += DeviceFreeBytes(device, availableBytes);
        }
        return total;
    }
}
