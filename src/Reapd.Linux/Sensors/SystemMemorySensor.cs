using Reapd.Core.Daemon;
using Reapd.Core.Proc;
using Reapd.Linux.Proc;

namespace Reapd.Linux.Sensors;

/// <summary>
/// The whole machine: MemAvailable of MemTotal, SwapFree of SwapTotal, and /proc/pressure/memory when the kernel has
/// PSI. Built on the kept-open /proc readers; the root directory is a parameter so tests can point it at fixtures.
/// </summary>
public sealed class SystemMemorySensor : IMemorySensor
{
    private readonly MemInfoReader _meminfo;
    private readonly PressureReader? _pressure;

    private SystemMemorySensor(MemInfoReader meminfo, PressureReader? pressure)
    {
        _meminfo = meminfo;
        _pressure = pressure;
    }

    public string Description => "system";

    public string? PressurePath => _pressure?.Path;

    /// <summary>Opens ROOT/meminfo and, if PSI works, ROOT/pressure/memory (ROOT defaults to /proc).</summary>
    public static ProcReadOutcome TryOpen(out SystemMemorySensor? sensor, string procRoot = "/proc")
    {
        sensor = null;
        ProcReadOutcome opened = MemInfoReader.TryOpen(procRoot, out MemInfoReader? meminfo);
        if (opened != ProcReadOutcome.Ok)
        {
            return opened;
        }
        sensor = new SystemMemorySensor(meminfo!, PressureFiles.TryOpen(PressureReader.SystemPath(procRoot)));
        return ProcReadOutcome.Ok;
    }

    public bool TryRead(long timeMs, out MemorySample sample)
    {
        sample = default;
        if (!TryReadMemInfo(out MemInfo info))
        {
            return false;
        }
        sample = new MemorySample(timeMs, info.MemAvailableKiB * 1024, info.MemTotalKiB * 1024,
            info.SwapFreeKiB * 1024, info.SwapTotalKiB * 1024, PressureFiles.Read(_pressure));
        return true;
    }

    /// <summary>The parsed /proc/meminfo (also what a cgroup without a limit is bounded by).</summary>
    public bool TryReadMemInfo(out MemInfo info) => _meminfo.TryRead(out info) == ProcReadOutcome.Ok;

    public void Dispose()
    {
        _meminfo.Dispose();
        _pressure?.Dispose();
    }
}
