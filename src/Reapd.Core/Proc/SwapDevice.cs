namespace Reapd.Core.Proc;

/// <summary>
/// One active swap area from /proc/swaps, with what zram-aware sensing needs: its slots (Size, Used, in KiB) and, for a
/// zram device, its number N (/dev/zramN) and its mm_stat figures. <see cref="ZramIndex"/> is -1 for any other area.
/// </summary>
public struct SwapDevice
{
    public long SizeKiB;
    public long UsedKiB;
    public int ZramIndex;
    public ZramMmStat Zram;

    public readonly bool IsZram => ZramIndex >= 0;

    public readonly long FreeBytes => Math.Max(0, SizeKiB - UsedKiB) * 1024;
}
