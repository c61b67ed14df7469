using Reapd.Core.Proc;
using Reapd.Linux.Proc;

namespace Reapd.Linux.Sensors;

/// <summary>
/// The scope's cumulative refault and swap counters (<see cref="RefaultParser"/>): /proc/vmstat for the machine,
/// memory.stat for a cgroup v2 group (the same counter names, hierarchical; swap-ins and swap-outs there since 6.13). Opened once, re-read into a preallocated buffer: a read
/// allocates nothing. The thrash condition reads it only while the scope stalls. Owns the file.
/// </summary>
public sealed class RefaultReader : IDisposable
{
    // /proc/vmstat is about 4–6 KiB on 6.x kernels, a cgroup's memory.stat under 2 KiB; room to spare for new counters.
    private const int BufferBytes = 32 * 1024;
    private readonly KeptOpenFile _file;

    private RefaultReader(KeptOpenFile file)
    {
        _file = file;
    }

    public string Path => _file.Path;

    /// <summary>
    /// Whether the file counts anonymous refaults apart from the page cache's (workingset_refault_anon, Linux 5.9 on):
    /// then the thrash condition's refaults need swap in use (<see cref="Core.Daemon.ThrashSwapRule"/>).
    /// </summary>
    public bool CountsAnonymousRefaults { get; private set; }

    /// <summary>The reader, or null where the file cannot be opened or has no refault counter (then the thrash condition has no rate).</summary>
    public static RefaultReader? TryOpen(string path)
    {
        if (KeptOpenFile.TryOpen(path, BufferBytes, out KeptOpenFile? file) != ProcReadOutcome.Ok)
        {
            return null;
        }
        var reader = new RefaultReader(file!);
        RefaultCounters first = reader.Read();
        reader.CountsAnonymousRefaults = first.AnonRefaults >= 0;
        if (first.AnonRefaults < 0 && first.FileRefaults < 0)
        {
            reader.Dispose();
            return null;
        }
        return reader;
    }

    /// <summary>The cumulative counters (pages), or <see cref="RefaultCounters.Unread"/> when the file could not be read or parsed this time.</summary>
    public RefaultCounters Read() =>
        _file.Read(out ReadOnlySpan<byte> text) == ProcReadOutcome.Ok && RefaultParser.TryParse(text, out RefaultCounters counters) ? counters : RefaultCounters.Unread;

    public void Dispose() => _file.Dispose();
}
