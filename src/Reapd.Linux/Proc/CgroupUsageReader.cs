using Reapd.Core.Cgroups;

namespace Reapd.Linux.Proc;

/// <summary>
/// A memory cgroup's current charge in bytes (v1 memory.usage_in_bytes, v2 memory.current), kept open and re-read
/// with pread so it can be sampled every millisecond while a victim's memory comes back (docs/kernel.md D.2 measures
/// recovery this way: MemAvailable lags by seconds on this VM). Not thread-safe.
/// </summary>
public sealed class CgroupUsageReader : IDisposable
{
    private readonly KeptOpenFile _file;

    private CgroupUsageReader(KeptOpenFile file) => _file = file;

    public string Path => _file.Path;

    /// <summary>Opens the usage file of the cgroup directory (v1 or v2), or null with why not.</summary>
    public static CgroupUsageReader? TryOpen(string cgroupDirectory, out ProcReadOutcome outcome)
    {
        string v1 = System.IO.Path.Combine(cgroupDirectory, "memory.usage_in_bytes");
        string path = File.Exists(v1) ? v1 : System.IO.Path.Combine(cgroupDirectory, "memory.current");
        outcome = KeptOpenFile.TryOpen(path, 64, out KeptOpenFile? file);
        return outcome == ProcReadOutcome.Ok ? new CgroupUsageReader(file!) : null;
    }

    public ProcReadOutcome TryReadBytes(out long usageBytes)
    {
        usageBytes = 0;
        ProcReadOutcome outcome = _file.Read(out ReadOnlySpan<byte> text);
        if (outcome != ProcReadOutcome.Ok)
        {
            return outcome;
        }
        return CgroupValueParser.TryParseBytes(text, out usageBytes) ? ProcReadOutcome.Ok : ProcReadOutcome.Malformed;
    }

    public void Dispose() => _file.Dispose();
}
