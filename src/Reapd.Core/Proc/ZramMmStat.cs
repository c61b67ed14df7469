namespace Reapd.Core.Proc;

/// <summary>
/// /sys/block/zramN/mm_stat (drivers/block/zram/zram_drv.c, mm_stat_show), the fields zram-aware sensing uses, in
/// bytes: the uncompressed size of what the device stores, the memory its allocator holds for it (compressed data
/// plus fragmentation and metadata: what it really costs), and its memory limit (0: none).
/// </summary>
public struct ZramMmStat
{
    public long OrigDataBytes;
    public long ComprDataBytes;
    public long MemUsedTotalBytes;
    public long MemLimitBytes;
    public bool Known;
}
