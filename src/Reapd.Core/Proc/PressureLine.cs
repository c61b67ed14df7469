namespace Reapd.Core.Proc;

/// <summary>
/// One line of a PSI file: the share of wall time (percent) in which some (or all) tasks stalled on memory, averaged
/// over 10, 60 and 300 s, and the cumulative stall time in µs (kernel/sched/psi.c psi_show; docs/kernel.md C.5).
/// </summary>
public struct PressureLine
{
    public double Avg10Percent;
    public double Avg60Percent;
    public double Avg300Percent;
    public ulong TotalStallUs;
}
