using Reapd.Core.Daemon;
using Reapd.Core.Proc;
using Reapd.Linux.Proc;

namespace Reapd.Linux.Sensors;

/// <summary>
/// Which swap areas are active (/proc/swaps) and, for each zram device among them, its mm_stat
/// (SYS/block/zramN/mm_stat): what zram-aware sensing needs to bound free swap by what zram's remaining memory can
/// still absorb (<see cref="ZramSwapBound"/>). /proc/swaps is kept open; a device's mm_stat is opened the first time the
/// device is seen and kept open (a device reset and set up again keeps its sysfs file). Warm reads allocate nothing.
/// Not thread-safe.
/// </summary>
public sealed class ZramSwapReader : IDisposable
{
    private const int MaxDevices = 32;

    private readonly KeptOpenFile _swaps;
    private readonly string _sysRoot;
    private readonly SwapDevice[] _devices = new SwapDevice[MaxDevices];
    private readonly KeptOpenFile?[] _mmStat = new KeptOpenFile?[MaxDevices];
    private int _count;

    private ZramSwapReader(KeptOpenFile swaps, string sysRoot)
    {
        _swaps = swaps;
        _sysRoot = sysRoot;
    }

    public static ZramSwapReader? TryOpen(string procRoot = "/proc", string sysRoot = "/sys") =>
        KeptOpenFile.TryOpen(Path.Combine(procRoot, "swaps"), 16 * 1024, out KeptOpenFile? swaps) == ProcReadOutcome.Ok
            ? new ZramSwapReader(swaps!, sysRoot)
            : null;

    /// <summary>The areas of the last <see cref="TryRead"/>.</summary>
    public ReadOnlySpan<SwapDevice> Devices => _devices.AsSpan(0, _count);

    /// <summary>Whether the last read found a zram device among the active swap areas.</summary>
    public bool AnyZram { get; private set; }

    /// <summary>Reads the active areas and each zram device's mm_stat; false when /proc/swaps cannot be read or parsed.</summary>
    public bool TryRead()
    {
        _count = 0;
        AnyZram = false;
        if (_swaps.Read(out ReadOnlySpan<byte> text) != ProcReadOutcome.Ok)
        {
            return false;
        }
        int count = SwapsParser.TryParse(text, _devices);
        if (count < 0)
        {
            return false;
        }
        _count = count;
        for (int i = 0; i < count; i++)
        {
            ref SwapDevice device = ref _devices[i];
            if (!device.IsZram)
            {
                continue;
            }
            AnyZram = true;
            // A device whose mm_stat cannot be read counts with its free slots, as before zram-awareness.
            device.Zram = default;
            if (device.ZramIndex < MaxDevices && MmStat(device.ZramIndex) is KeptOpenFile file
                && file.Read(out ReadOnlySpan<byte> stat) == ProcReadOutcome.Ok && SwapsParser.TryParseMmStat(stat, out ZramMmStat parsed))
            {
                device.Zram = parsed;
            }
        }
        return true;
    }

    /// <summary>
    /// How much of SwapFree zram cannot really provide (<see cref="ZramSwapBound"/>): the zram areas' free slots less
    /// what they can still absorb with <paramref name="swappableBytes"/> left to swap out (ZramSwapBound.ZramFreeBytes).
    /// </summary>
    public long ShortfallBytes(long swappableBytes)
    {
        long zramFreeSlots = 0;
        foreach (ref readonly SwapDevice device in Devices)
        {
            if (device.IsZram)
            {
                zramFreeSlots += device.FreeBytes;
            }
        }
        return zramFreeSlots - ZramSwapBound.ZramFreeBytes(Devices, swappableBytes);
    }

    private KeptOpenFile? MmStat(int index)
    {
        if (_mmStat[index] is null
            && KeptOpenFile.TryOpen(Path.Combine(_sysRoot, "block", "zram" + index.ToString(System.Globalization.CultureInfo.InvariantCulture), "mm_stat"), 512, out KeptOpenFile? file) == ProcReadOutcome.Ok)
        {
            _mmStat[index] = file;
        }
        return _mmStat[index];
    }

    public void Dispose()
    {
        _swaps.Dispose();
        foreach (KeptOpenFile? file in _mmStat)
        {
            file?.Dispose();
        }
    }
}
