using Reapd.Core.Cgroups;
using Reapd.Core.Daemon;
using Reapd.Core.Proc;
using Reapd.Linux.Proc;

namespace Reapd.Linux.Sensors;

/// <summary>
/// One cgroup v1 memory cgroup as if it were the machine (docs/kernel.md C.6): total = its limit (or the hierarchical
/// limit an ancestor sets), available = limit − (usage − total_inactive_file). v1 has no PSI. Swap is not counted:
/// memsw accounting is optional and most v1 hosts run without swap, so the scope is treated as having none and
/// memory alone decides. A cgroup with no limit anywhere above it is bounded by the machine: total = MemTotal and
/// available = the smaller of the cgroup's headroom and MemAvailable.
/// </summary>
public sealed class CgroupV1MemorySensor : IMemorySensor
{
    private readonly KeptOpenFile _usage;
    private readonly KeptOpenFile _limit;
    private readonly KeptOpenFile _stat;
    private readonly KeptOpenFile _oomControl;
    private readonly SystemMemorySensor? _system;
    private bool _boundedBySystem;

    private CgroupV1MemorySensor(string directory, KeptOpenFile usage, KeptOpenFile limit, KeptOpenFile stat, KeptOpenFile oomControl, SystemMemorySensor? system)
    {
        Directory = directory;
        _usage = usage;
        _limit = limit;
        _stat = stat;
        _oomControl = oomControl;
        _system = system;
        Description = "cgroup v1 " + directory;
    }

    public string Directory { get; }

    public string Description { get; }

    public string? PressurePath => null;

    /// <summary>Opens the cgroup's memory files. <paramref name="system"/> (not owned) bounds a cgroup without any limit.</summary>
    public static ProcReadOutcome TryOpen(string directory, SystemMemorySensor? system, out CgroupV1MemorySensor? sensor)
    {
        sensor = null;
        var opened = new List<KeptOpenFile>();
        foreach ((string name, int bytes) in new[] { ("memory.usage_in_bytes", 64), ("memory.limit_in_bytes", 64), ("memory.stat", 8192), ("memory.oom_control", 256) })
        {
            ProcReadOutcome outcome = KeptOpenFile.TryOpen(Path.Combine(directory, name), bytes, out KeptOpenFile? file);
            if (outcome != ProcReadOutcome.Ok)
            {
                opened.ForEach(f => f.Dispose());
                return outcome;
            }
            opened.Add(file!);
        }
        sensor = new CgroupV1MemorySensor(directory, opened[0], opened[1], opened[2], opened[3], system);
        return ProcReadOutcome.Ok;
    }

    public bool TryRead(long timeMs, out MemorySample sample)
    {
        sample = default;
        if (!ReadBytes(_usage, out long usage) || !ReadBytes(_limit, out long limit) ||
            _stat.Read(out ReadOnlySpan<byte> stat) != ProcReadOutcome.Ok ||
            !FlatKeyedParser.TryGet(stat, "total_inactive_file"u8, out long inactiveFile))
        {
            return false;
        }
        if (CgroupValueParser.IsUnlimited(limit) && FlatKeyedParser.TryGet(stat, "hierarchical_memory_limit"u8, out long hierarchical))
        {
            limit = hierarchical;
        }
        if (!CgroupValueParser.IsUnlimited(limit))
        {
            _boundedBySystem = false;
            sample = new MemorySample(timeMs, CgroupMemoryMath.AvailableBytes(limit, usage, inactiveFile), limit, 0, 0, PsiReading.None);
            return true;
        }
        if (_system is null || !_system.TryReadMemInfo(out MemInfo info))
        {
            return false;
        }
        long total = info.MemTotalKiB * 1024;
        _boundedBySystem = true;
        long available = Math.Min(CgroupMemoryMath.AvailableBytes(total, usage, inactiveFile), _system.AvailableBytes(info, timeMs, out long credit));
        sample = new MemorySample(timeMs, available, total, 0, 0, PsiReading.None) { ListCreditBytes = credit };
        return true;
    }

    /// <summary>A group without a limit is bounded by the machine's MemAvailable, with the system sensor's list credit.</summary>
    SystemMemorySensor? IMemorySensor.ListCreditOwner => _system;

    bool IMemorySensor.BoundedByMemAvailable => _boundedBySystem;

    /// <summary>"oom_kill N" of memory.oom_control: processes in this cgroup that an OOM killer took (-1 if unreadable).</summary>
    public long ReadKernelOomKills() =>
        _oomControl.Read(out ReadOnlySpan<byte> text) == ProcReadOutcome.Ok && FlatKeyedParser.TryGet(text, "oom_kill"u8, out long kills) ? kills : -1;

    public void Dispose()
    {
        _usage.Dispose();
        _limit.Dispose();
        _stat.Dispose();
        _oomControl.Dispose();
    }

    private static bool ReadBytes(KeptOpenFile file, out long bytes)
    {
        bytes = 0;
        return file.Read(out ReadOnlySpan<byte> text) == ProcReadOutcome.Ok && CgroupValueParser.TryParseBytes(text, out bytes);
    }
}
