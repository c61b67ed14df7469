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

    /// <summary>
    /// Opens ROOT/meminfo. Every Linux has it, so a failure here is a broken invariant and throws; callers that can
    /// meet EMFILE (a command under a low open-files limit) use <see cref="TryOpen"/>.
    /// </summary>
    public static MemInfoReader Open(string procRoot = "/proc")
    {
        ProcReadOutcome outcome = TryOpen(procRoot, out MemInfoReader? reader);
        return outcome == ProcReadOutcome.Ok ? reader! : throw new IOException($"cannot open {System.IO.Path.Combine(procRoot, "meminfo")}: {outcome}");
    }

    /// <summary>Opens ROOT/meminfo; out of file descriptors, a missing file or a refusal is an outcome.</summary>
    public static ProcReadOutcome TryOpen(string procRoot, out MemInfoReader? reader)
    {
        reader = null;
        ProcReadOutcome outcome = KeptOpenFile.TryOpen(System.IO.Path.Combine(procRoot, "meminfo"), BufferBytes, out KeptOpenFile? file);
        if (outcome == ProcReadOutcome.Ok)
        {
            reader = new MemInfoReader(file!);
        }
        return outcome;
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
