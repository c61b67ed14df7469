using Reapd.Core.Cgroups;
using Reapd.Core.Daemon;
using Reapd.Core.Proc;
using Reapd.Linux.Proc;

namespace Reapd.Linux.Sensors;

/// <summary>
/// One cgroup v2 subtree as if it were the machine (docs/kernel.md C.7): total = the smaller of memory.max and
/// memory.high (over high the kernel throttles the group into direct reclaim and never OOM-kills: that is the limit
/// an external killer is meant to act below), available = total − (memory.current − inactive_file), PSI from the
/// group's memory.pressure, swap from memory.swap.current/max where the group has swap accounting. Without any
/// limit, bounded by the machine as for v1.
/// </summary>
public sealed class CgroupV2MemorySensor : IMemorySensor
{
    private readonly KeptOpenFile _current;
    private readonly KeptOpenFile _max;
    private readonly KeptOpenFile? _high;
    private readonly KeptOpenFile _stat;
    private readonly KeptOpenFile _events;
    private readonly PressureReader? _pressure;
    private readonly KeptOpenFile? _swapCurrent;
    private readonly KeptOpenFile? _swapMax;
    private readonly SystemMemorySensor? _system;
    private bool _boundedBySystem;

    private CgroupV2MemorySensor(string directory, KeptOpenFile current, KeptOpenFile max, KeptOpenFile? high, KeptOpenFile stat,
        KeptOpenFile events, PressureReader? pressure, KeptOpenFile? swapCurrent, KeptOpenFile? swapMax, SystemMemorySensor? system)
    {
        Directory = directory;
        _current = current;
        _max = max;
        _high = high;
        _stat = stat;
        _events = events;
        _pressure = pressure;
        _swapCurrent = swapCurrent;
        _swapMax = swapMax;
        _system = system;
        Description = "cgroup v2 " + directory;
        PressurePath = pressure?.Path;
    }

    public string Directory { get; }

    public string Description { get; }

    public string? PressurePath { get; }

    /// <summary>The file whose modification (POLLPRI) signals a change of the group's memory events (docs/kernel.md C.7).</summary>
    public string EventsPath => Path.Combine(Directory, "memory.events");

    /// <summary>Opens the group's memory files; memory.high, memory.pressure and memory.swap.* are optional.</summary>
    public static ProcReadOutcome TryOpen(string directory, SystemMemorySensor? system, out CgroupV2MemorySensor? sensor)
    {
        sensor = null;
        var required = new List<KeptOpenFile>();
        foreach ((string name, int bytes) in new[] { ("memory.current", 64), ("memory.max", 64), ("memory.stat", 8192), ("memory.events", 512) })
        {
            ProcReadOutcome outcome = KeptOpenFile.TryOpen(Path.Combine(directory, name), bytes, out KeptOpenFile? file);
            if (outcome != ProcReadOutcome.Ok)
            {
                required.ForEach(f => f.Dispose());
                return outcome;
            }
            required.Add(file!);
        }
        sensor = new CgroupV2MemorySensor(directory, required[0], required[1], Optional(directory, "memory.high", 64), required[2], required[3],
            PressureFiles.TryOpen(Path.Combine(directory, "memory.pressure")), Optional(directory, "memory.swap.current", 64), Optional(directory, "memory.swap.max", 64), system);
        return ProcReadOutcome.Ok;
    }

    public bool TryRead(long timeMs, out MemorySample sample)
    {
        sample = default;
        if (!ReadBytes(_current, out long usage) || !ReadBytes(_max, out long limit) ||
            _stat.Read(out ReadOnlySpan<byte> stat) != ProcReadOutcome.Ok ||
            !FlatKeyedParser.TryGet(stat, "inactive_file"u8, out long inactiveFile))
        {
            return false;
        }
        if (_high is not null && ReadBytes(_high, out long high))
        {
            limit = Math.Min(limit, high);
        }
        long swapFree = 0, swapTotal = 0;
        if (_swapMax is not null && _swapCurrent is not null && ReadBytes(_swapMax, out long swapMax) && ReadBytes(_swapCurrent, out long swapUsed))
        {
            swapTotal = swapMax;
            swapFree = Math.Max(0, swapMax - swapUsed);
        }
        PsiReading psi = PressureFiles.Read(_pressure);
        long total = limit, available, credit = 0;
        MemInfo info = default;
        bool haveSystem = _system is not null && (CgroupValueParser.IsUnlimited(limit) || CgroupValueParser.IsUnlimited(swapTotal)) && _system.TryReadMemInfo(out info);
        if (CgroupValueParser.IsUnlimited(limit))
        {
            if (!haveSystem)
            {
                return false;
            }
            total = info.MemTotalKiB * 1024;
            available = Math.Min(CgroupMemoryMath.AvailableBytes(total, usage, inactiveFile), _system!.AvailableBytes(info, timeMs, out credit));
        }
        else
        {
            available = CgroupMemoryMath.AvailableBytes(limit, usage, inactiveFile);
        }
        _boundedBySystem = CgroupValueParser.IsUnlimited(limit);
        if (CgroupValueParser.IsUnlimited(swapTotal))
        {
            // No swap limit: the group may use what the machine has.
            swapTotal = haveSystem ? info.SwapTotalKiB * 1024 : 0;
            swapFree = haveSystem ? info.SwapFreeKiB * 1024 : 0;
        }
        sample = new MemorySample(timeMs, available, total, swapFree, swapTotal, psi) { ListCreditBytes = credit };
        return true;
    }

    /// <summary>A group without a limit is bounded by the machine's MemAvailable, with the system sensor's list credit.</summary>
    SystemMemorySensor? IMemorySensor.ListCreditOwner => _system;

    bool IMemorySensor.BoundedByMemAvailable => _boundedBySystem;

    /// <summary>"oom_kill N" of memory.events: processes in this subtree an OOM killer took (-1 if unreadable).</summary>
    public long ReadKernelOomKills() =>
        _events.Read(out ReadOnlySpan<byte> text) == ProcReadOutcome.Ok && FlatKeyedParser.TryGet(text, "oom_kill"u8, out long kills) ? kills : -1;

    public void Dispose()
    {
        _current.Dispose();
        _max.Dispose();
        _high?.Dispose();
        _stat.Dispose();
        _events.Dispose();
        _pressure?.Dispose();
        _swapCurrent?.Dispose();
        _swapMax?.Dispose();
    }

    private static KeptOpenFile? Optional(string directory, string name, int bytes) =>
        KeptOpenFile.TryOpen(Path.Combine(directory, name), bytes, out KeptOpenFile? file) == ProcReadOutcome.Ok ? file : null;

    private static bool ReadBytes(KeptOpenFile file, out long bytes)
    {
        bytes = 0;
        return file.Read(out ReadOnlySpan<byte> text) == ProcReadOutcome.Ok && CgroupValueParser.TryParseBytes(text, out bytes);
    }
}
