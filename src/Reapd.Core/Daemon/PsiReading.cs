namespace Reapd.Core.Daemon;

/// <summary>
/// The memory PSI counters of the scope (/proc/pressure/memory or a cgroup2 memory.pressure): the cumulative
/// stall times in µs (the "total=" fields, exact) and the kernel's 10 s averages (for the log only: they lag and
/// decay slowly, so reapd decides on deltas of the totals instead).
/// </summary>
public readonly record struct PsiReading(bool Present, long SomeTotalUs, long FullTotalUs, double SomeAvg10, double FullAvg10)
{
    public static PsiReading None => default;
}
