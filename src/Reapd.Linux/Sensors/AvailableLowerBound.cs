using Reapd.Core.Proc;
using Reapd.Linux.Proc;

namespace Reapd.Linux.Sensors;

/// <summary>
/// A proven lower bound on MemAvailable from sysinfo(2): free pages less an upper bound on the kernel's
/// totalreserve_pages (docs/kernel.md, "A lower bound on MemAvailable"). sysinfo copies a few global counters out of
/// the kernel; /proc/meminfo makes the kernel print some 50 lines and sum per-CPU counters, and the parse follows.
/// The reserve comes from /proc/zoneinfo, read at start and again when it may have changed: every
/// <see cref="ReserveRefreshMs"/> (a write to vm.min_free_kbytes, vm.watermark_scale_factor or vm.lowmem_reserve_ratio
/// changes it, and no notification says so) and at once when the machine's total memory changed (memory hotplug
/// recomputes the watermarks). Files kept open; a warm read allocates nothing. Not thread-safe.
/// </summary>
public sealed class AvailableLowerBound : IDisposable
{
    /// <summary>How old the reserve may get before zoneinfo is read again.</summary>
    public const long ReserveRefreshMs = 60_000;

    /// <summary>
    /// zoneinfo's first buffer. The file was 5.4 KiB on a 2-CPU, 24 GiB machine (Linux 6.18); it grows by some 170 bytes
    /// per CPU for each zone with memory (a pageset block each), so a large machine's first read grows the buffer — the
    /// daemon's first read is before its memory is locked. The fixed 256 KiB buffer this replaces was the daemon's
    /// largest object, resident for good, and still too small for a few hundred CPUs over several nodes.
    /// </summary>
    internal const int ZoneinfoFirstBufferBytes = 16 * 1024;

    /// <summary>The largest zoneinfo read (beyond it the bound is off and meminfo decides every cycle).</summary>
    internal const int ZoneinfoMaxBufferBytes = 4 * 1024 * 1024;

    private readonly KeptOpenFile _zoneinfo;
    private readonly KeptOpenFile? _boostFactor;
    private readonly long _pageBytes;
    private readonly long _pageblockPages;
    private long _reservePages = -1;
    private long _reserveReadAtMs;
    private ulong _reserveTotalRam;

    private AvailableLowerBound(KeptOpenFile zoneinfo, KeptOpenFile? boostFactor, long pageBytes, long pageblockPages)
    {
        _zoneinfo = zoneinfo;
        _boostFactor = boostFactor;
        _pageBytes = pageBytes;
        _pageblockPages = pageblockPages;
    }

    /// <summary>The reserve (bytes) the bound subtracts, -1 before the first read.</summary>
    public long ReserveBytes => _reservePages < 0 ? -1 : _reservePages * _pageBytes;

    /// <summary>How many times zoneinfo has been read (for tests and the idle measurement).</summary>
    public int ReserveReads { get; private set; }

    /// <summary>Opens PROC/zoneinfo and PROC/sys/vm/watermark_boost_factor; null where zoneinfo cannot be read.</summary>
    public static AvailableLowerBound? TryOpen(string procRoot = "/proc")
    {
        if (KeptOpenFile.TryOpen(Path.Combine(procRoot, "zoneinfo"), ZoneinfoFirstBufferBytes, out KeptOpenFile? zoneinfo, ZoneinfoMaxBufferBytes, readToEnd: true) != ProcReadOutcome.Ok)
        {
            return null;
        }
        _ = KeptOpenFile.TryOpen(Path.Combine(procRoot, "sys/vm/watermark_boost_factor"), 64, out KeptOpenFile? boost);
        long pageBytes = Environment.SystemPageSize;
        // A pageblock is a PMD-sized huge page where the kernel has them (pageblock_order = HUGETLB_PAGE_ORDER): 2 MiB
        // with 4 KiB pages on x86_64 and arm64. Only the largest possible watermark boost depends on it.
        long pmdBytes = 2L << 20;
        try
        {
            string text = File.ReadAllText("/sys/kernel/mm/transparent_hugepage/hpage_pmd_size").Trim();
            if (long.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, out long parsed) && parsed >= pageBytes)
            {
                pmdBytes = parsed;
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        return new AvailableLowerBound(zoneinfo!, boost, pageBytes, Math.Max(1, pmdBytes / pageBytes));
    }

    /// <summary>
    /// One reading at <paramref name="timeMs"/>: the bound on available memory, MemTotal, SwapTotal and SwapFree (all
    /// bytes). False when sysinfo or zoneinfo fails: the caller reads /proc/meminfo instead.
    /// </summary>
    public unsafe bool TryRead(long timeMs, out long availableAtLeastBytes, out long totalBytes, out long swapTotalBytes, out long swapFreeBytes)
    {
        availableAtLeastBytes = totalBytes = swapTotalBytes = swapFreeBytes = 0;
        Interop.SysInfo info;
        if (Interop.sysinfo(&info) != 0)
        {
            return false;
        }
        long unit = info.MemUnit == 0 ? 1 : info.MemUnit;
        // A read that failed is not retried before the next refresh either: a zoneinfo too large to read would
        // otherwise be generated whole on every cycle, only to fall back to meminfo.
        if (ReserveReads == 0 || info.TotalRam != _reserveTotalRam || timeMs - _reserveReadAtMs >= ReserveRefreshMs)
        {
            RefreshReserve(timeMs, info.TotalRam);
        }
        if (_reservePages < 0)
        {
            return false;
        }
        totalBytes = (long)info.TotalRam * unit;
        swapTotalBytes = (long)info.TotalSwap * unit;
        swapFreeBytes = (long)info.FreeSwap * unit;
        availableAtLeastBytes = Math.Max(0, (long)info.FreeRam * unit - _reservePages * _pageBytes);
        return true;
    }

    /// <summary>
    /// The bytes on the kernel's per-CPU free lists now (the sum of zoneinfo's pageset counts) and the free memory the
    /// zones keep at their low watermarks (each zone's low watermark and lowmem reserve, ZoneReserveParser.TryReadPerCpuLists),
    /// from one read of zoneinfo (the same kept-open file and buffer as the reserve's); false when
    /// zoneinfo cannot be read or parsed. Some tens of µs on a 2-CPU machine, more with more CPUs; read only around a
    /// kill (<see cref="Core.Daemon.PerCpuListCredit"/>).
    /// </summary>
    public bool TryReadPerCpuLists(out long listBytes, out long lowWatermarkBytes)
    {
        listBytes = lowWatermarkBytes = 0;
        if (_zoneinfo.Read(out ReadOnlySpan<byte> zones) != ProcReadOutcome.Ok
            || !ZoneReserveParser.TryReadPerCpuLists(zones, out long listPages, out long lowPages))
        {
            return false;
        }
        listBytes = listPages * _pageBytes;
        lowWatermarkBytes = lowPages * _pageBytes;
        return true;
    }

    /// <summary>Reads the reserve now; a failed read leaves it at -1 until the next refresh.</summary>
    private void RefreshReserve(long timeMs, ulong totalRam)
    {
        ReserveReads++;
        long factor = 15000; // the kernel's default, when the sysctl cannot be read
        if (_boostFactor is not null && _boostFactor.Read(out ReadOnlySpan<byte> text) == ProcReadOutcome.Ok
            && System.Buffers.Text.Utf8Parser.TryParse(text.Trim(" \n"u8), out long parsed, out int used) && used == text.Trim(" \n"u8).Length)
        {
            factor = parsed;
        }
        _reserveReadAtMs = timeMs;
        _reserveTotalRam = totalRam;
        _reservePages = _zoneinfo.Read(out ReadOnlySpan<byte> zones) == ProcReadOutcome.Ok
            ? ZoneReserveParser.ReservePages(zones, factor, _pageblockPages)
            : -1;
    }

    public void Dispose()
    {
        _zoneinfo.Dispose();
        _boostFactor?.Dispose();
    }
}
