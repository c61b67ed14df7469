using Reapd.Core.Proc;

namespace Reapd.Linux.Proc;

/// <summary>
/// /proc/meminfo, kept open and re-read with pread at offset 0 into a preallocated buffer: once warm, a read
/// allocates nothing. The root is configurable so tests read captured fixtures. Not thread-safe.
/// </summary>
public sealed class MemInfoReader : IDisposable
{
    private const int BufferBytes = 16 * 1024;

    private readonly KeptOpenFile _file;

    private MemInfoReader(KeptOpenFile file) => _file = file;

    public string Path => _file.Path;

    /// <summary>Opens ROOT/meminfo. Every Linux has it, so a failure here is a broken invariant and throws.</summary>
    public static MemInfoReader Open(string procRoot = "/proc")
    {
        string path = System.IO.Path.Combine(procRoot, "meminfo");
        ProcReadOutcome outcome = KeptOpenFile.TryOpen(path, BufferBytes, out KeptOpenFile? file);
        if (outcome != ProcReadOutcome.Ok)
        {
            throw new IOException($"cannot open {path}: {outcome}");
        }
        return new MemInfoReader(file!);
    }

    public ProcReadOutcome TryRead(out MemInfo info)
    {
        ProcReadOutcome outcome = _file.Read(out ReadOnlySpan<byte> text);
        if (outcome != ProcReadOutcome.Ok)
        {
            info = default;
            return outcome;
        }
        return MemInfoParser.TryParse(text, out info) ? ProcReadOutcome.Ok : ProcReadOutcome.Malformed;
    }

    public void Dispose() => _file.Dispose();
}
