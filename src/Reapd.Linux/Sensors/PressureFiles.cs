using Reapd.Core.Daemon;
using Reapd.Core.Proc;
using Reapd.Linux.Proc;

namespace Reapd.Linux.Sensors;

/// <summary>PSI files (/proc/pressure/memory, cgroup2 memory.pressure) as the sample sees them.</summary>
internal static class PressureFiles
{
    /// <summary>The reader, kept only if one read works: a psi=0 kernel has the file but fails reads (EOPNOTSUPP).</summary>
    public static PressureReader? TryOpen(string path)
    {
        PressureReader? reader = PressureReader.TryOpen(path, out _);
        if (reader is not null && reader.TryRead(out _) != ProcReadOutcome.Ok)
        {
            reader.Dispose();
            reader = null;
        }
        return reader;
    }

    public static PsiReading Read(PressureReader? reader)
    {
        if (reader is null || reader.TryRead(out Pressure pressure) != ProcReadOutcome.Ok)
        {
            return PsiReading.None;
        }
        return new PsiReading(true, (long)pressure.Some.TotalStallUs, pressure.HasFull ? (long)pressure.Full.TotalStallUs : 0,
            pressure.Some.Avg10Percent, pressure.HasFull ? pressure.Full.Avg10Percent : 0);
    }
}
