using Reapd.Core.Proc;

namespace Reapd.Linux.Proc;

/// <summary>
/// A PSI file (/proc/pressure/memory, or a cgroup2 memory.pressure), kept open and re-read with pread at offset 0
/// into a preallocated buffer: once warm, a read allocates nothing. Not thread-safe.
/// PSI may be missing: a kernel without CONFIG_PSI, or with CONFIG_PSI_DEFAULT_DISABLED and no psi=1 on the command
/// line, has no /proc/pressure (docs/kernel.md C.5), so opening is a Try.
/// </summary>
public sealed class PressureReader : IDisposable
{
    private const int BufferBytes = 1024;

    private readonly KeptOpenFile _file;

    private PressureReader(KeptOpenFile file) => _file = file;

    public string Path => _file.Path;

    /// <summary>The system-wide memory pressure file, ROOT/pressure/memory.</summary>
    public static string SystemPath(string procRoot = "/proc") => System.IO.Path.Combine(procRoot, "pressure", "memory");

    /// <summary>Opens the file, or returns null with why not (Gone: no such file, PSI absent).</summary>
    public static PressureReader? TryOpen(string path, out ProcReadOutcome outcome)
    {
        outcome = KeptOpenFile.TryOpen(path, BufferBytes, out KeptOpenFile? file);
        return outcome == ProcReadOutcome.Ok ? new PressureReader(file!) : null;
    }

    /// <summary>Reads the file now. A PSI file of a disabled source fails to read (EOPNOTSUPP): Failed.</summary>
    public ProcReadOutcome TryRead(out Pressure pressure)
    {
        ProcReadOutcome outcome = _file.Read(out ReadOnlySpan<byte> text);
        if (outcome != ProcReadOutcome.Ok)
        {
            pressure = default;
            return outcome;
        }
        return PressureParser.TryParse(text, out pressure) ? ProcReadOutcome.Ok : ProcReadOutcome.Malformed;
    }

    public void Dispose() => _file.Dispose();
}
