using Reapd.Core.Daemon;
using Reapd.Core.Proc;
using Reapd.Linux.Proc;

namespace Reapd.Linux.Sensors;

/// <summary>
/// The whole machine: MemAvailable of MemTotal, SwapFree of SwapTotal (zram-aware: bounded by what zram can still absorb:
/// the memory that can still be swapped out and each device's mem_limit), and /proc/pressure/memory when the kernel has PSI. A quiet wake-up can instead take the
/// cheap lower bound (<see cref="TryReadLowerBound"/>). Around a kill, MemAvailable gets back what the victim freed that
/// the kernel's per-CPU lists still hold (<see cref="PerCpuListCredit"/>, <see cref="VictimSignalled"/>). Built on the
/// kept-open /proc readers; the roots are parameters so tests can point them at fixtures.
/// </summary>
public sealed class SystemMemorySensor : IMemorySensor
{
    private readonly MemInfoReader _meminfo;
    private readonly PressureReader? _pressure;
    private readonly ZramSwapReader? _swaps;
    private readonly AvailableLowerBound? _bound;
    private readonly PerCpuListCredit _listCredit = new();

    private SystemMemorySensor(MemInfoReader meminfo, PressureReader? pressure, ZramSwapReader? swaps, AvailableLowerBound? bound)
    {
        _meminfo = meminfo;
        _pressure = pressure;
        _swaps = swaps;
        _bound = bound;
    }

    /// <summary>Count free swap on zram devices as no more than they can still absorb (DaemonConfig.ZramAware, <see cref="ZramSwapBound"/>).</summary>
    public bool ZramAware { get; set; }

    /// <summary>The lower-bound reader of quiet wake-ups, null where /proc/zoneinfo cannot be read.</summary>
    public AvailableLowerBound? LowerBound => _bound;

    public string Description => "system";

    public string? PressurePath => _pressure?.Path;

    /// <summary>Opens ROOT/meminfo and, if PSI works, ROOT/pressure/memory (ROOT defaults to /proc).</summary>
    public static ProcReadOutcome TryOpen(out SystemMemorySensor? sensor, string procRoot = "/proc", string sysRoot = "/sys")
    {
        sensor = null;
        ProcReadOutcome opened = MemInfoReader.TryOpen(procRoot, out MemInfoReader? meminfo);
        if (opened != ProcReadOutcome.Ok)
        {
            return opened;
        }
        sensor = new SystemMemorySensor(meminfo!, PressureFiles.TryOpen(PressureReader.SystemPath(procRoot)),
            ZramSwapReader.TryOpen(procRoot, sysRoot), AvailableLowerBound.TryOpen(procRoot));
        return ProcReadOutcome.Ok;
    }

    public bool TryRead(long timeMs, out MemorySample sample)
    {
        sample = default;
        if (!TryReadMemInfo(out MemInfo info))
        {
            return false;
        }
        long available = AvailableBytes(info, timeMs, out long credit);
        sample = Build(timeMs, available, info.MemTotalKiB * 1024, info.SwapTotalKiB * 1024, info.SwapFreeKiB * 1024,
            ZramSwapBound.SwappableBytes(info), false) with { ListCreditBytes = credit };
        return true;
    }

    /// <summary>
    /// MemAvailable of <paramref name="info"/>, with <paramref name="creditBytes"/> added: what a recent victim freed
    /// that the per-CPU lists hold (0 unless a credit runs, and while MemFree is at or below what the zones keep free at
    /// their low watermarks; the lists are read only while a credit runs). A cgroup without a limit is bounded by this figure too.
    /// </summary>
    public long AvailableBytes(in MemInfo info, long timeMs, out long creditBytes)
    {
        creditBytes = 0;
        if (_listCredit.Active && _bound is not null)
        {
            bool read = _bound.TryReadPerCpuLists(out long lists, out long low);
            creditBytes = _listCredit.Credit(read ? lists : -1, info.MemFreeKiB * 1024, low, timeMs);
        }
        return info.MemAvailableKiB * 1024 + creditBytes;
    }

    /// <summary>This sensor keeps its own credit, and its available memory is MemAvailable.</summary>
    SystemMemorySensor? IMemorySensor.ListCreditOwner => this;

    bool IMemorySensor.BoundedByMemAvailable => true;

    /// <summary>The bytes on the per-CPU lists now (-1 where zoneinfo cannot be read): a signal's base.</summary>
    public long ListBytesNow() => _bound is not null && _bound.TryReadPerCpuLists(out long lists, out _) ? lists : -1;

    /// <summary>
    /// A victim holding up to <paramref name="heldBytes"/> was just signalled, the lists holding
    /// <paramref name="listBytes"/> at the signal (<see cref="ListBytesNow"/>): the base its credit grows from.
    /// <paramref name="newVictim"/>: its first signal, not an escalation.
    /// </summary>
    public void VictimSignalled(long heldBytes, bool newVictim, long listBytes) => _listCredit.Begin(listBytes, heldBytes, newVictim);

    /// <summary>The victim is no longer in flight: its credit lasts only until the lists are back at their base.</summary>
    public void VictimReleased(long nowMs) => _listCredit.Released(nowMs);

    /// <summary>Ends a running credit (after the start-up's warm-up kill).</summary>
    public void EndListCredit() => _listCredit.End();

    /// <summary>
    /// Runs the credit's code once on a credit of its own (the lists read, a credit begun, taken and ended), before
    /// memory is locked: the first kill would otherwise run it under the pressure it answers.
    /// </summary>
    public void WarmUpListCredit(long timeMs)
    {
        if (_bound is null || !_bound.TryReadPerCpuLists(out long lists, out long low))
        {
            return;
        }
        var scratch = new PerCpuListCredit();
        scratch.Begin(lists, 1, newVictim: true);
        scratch.Begin(lists, 1, newVictim: false);
        _ = scratch.Credit(lists, low + 1, low, timeMs);
        scratch.Released(timeMs);
        _ = scratch.Credit(lists, low + 1, low, timeMs);
        scratch.End();
    }

    /// <summary>
    /// The quiet wake-up's reading: available memory as its proven lower bound (sysinfo's free pages less the kernel's
    /// reserves, no /proc/meminfo), swap from sysinfo (zram-aware: sysinfo does not tell the anonymous memory, so zram
    /// is bounded by the available lower bound alone, a figure below any full reading's), PSI as
    /// always. Every figure is at most the full reading's, so a bound that crosses no line proves the full reading
    /// crosses none (PressureAssessment.ProvesQuiet). False where the bound cannot be read.
    /// </summary>
    public bool TryReadLowerBound(long timeMs, out MemorySample sample)
    {
        sample = default;
        if (_bound is null || !_bound.TryRead(timeMs, out long availableAtLeast, out long total, out long swapTotal, out long swapFree))
        {
            return false;
        }
        sample = Build(timeMs, availableAtLeast, total, swapTotal, swapFree, swappableBytes: availableAtLeast, true);
        return true;
    }

    /// <summary>The same reading with <paramref name="keptPressure"/> in place of a read of the PSI file: sysinfo(2) only.</summary>
    public bool TryReadLowerBound(long timeMs, in PsiReading keptPressure, out MemorySample sample)
    {
        sample = default;
        if (_bound is null || !_bound.TryRead(timeMs, out long availableAtLeast, out long total, out long swapTotal, out long swapFree))
        {
            return false;
        }
        sample = Build(timeMs, availableAtLeast, total, swapTotal, swapFree, swappableBytes: availableAtLeast, true, keptPressure);
        return true;
    }

    public PsiReading ReadPressure() => PressureFiles.Read(_pressure);

    private MemorySample Build(long timeMs, long availableBytes, long totalBytes, long swapTotalBytes, long swapFreeBytes, long swappableBytes, bool lowerBound) =>
        Build(timeMs, availableBytes, totalBytes, swapTotalBytes, swapFreeBytes, swappableBytes, lowerBound, PressureFiles.Read(_pressure));

    private MemorySample Build(long timeMs, long availableBytes, long totalBytes, long swapTotalBytes, long swapFreeBytes, long swappableBytes, bool lowerBound, in PsiReading pressure)
    {
        long rawSwapFree = -1;
        if (ZramAware && swapTotalBytes > 0 && _swaps is not null && _swaps.TryRead() && _swaps.AnyZram)
        {
            rawSwapFree = swapFreeBytes;
            swapFreeBytes = Math.Max(0, swapFreeBytes - _swaps.ShortfallBytes(swappableBytes));
        }
        return new MemorySample(timeMs, availableBytes, totalBytes, swapFreeBytes, swapTotalBytes, pressure)
        {
            RawSwapFreeBytes = rawSwapFree,
            AvailableIsLowerBound = lowerBound,
        };
    }

    /// <summary>The parsed /proc/meminfo (also what a cgroup without a limit is bounded by).</summary>
    public bool TryReadMemInfo(out MemInfo info) => _meminfo.TryRead(out info) == ProcReadOutcome.Ok;

    public void Dispose()
    {
        _meminfo.Dispose();
        _pressure?.Dispose();
        _swaps?.Dispose();
        _bound?.Dispose();
    }
}
