namespace Reapd.Core.Daemon;

/// <summary>
/// One reading of the guarded scope (the machine or one cgroup), taken by a sensor in the Linux layer.
/// Everything the governor and the settle gate decide on is in here, so they never read the kernel themselves.
/// </summary>
/// <param name="TimeMs">Monotonic time of the reading (CLOCK_MONOTONIC, ms). The only clock the pure core sees.</param>
/// <param name="AvailableBytes">
/// Memory the scope can still get without the OOM killer: MemAvailable for the machine; for a cgroup,
/// limit − (usage − inactive file cache), which is what reclaim can still free before the memcg OOM killer runs.
/// </param>
/// <param name="TotalBytes">MemTotal, or the cgroup's limit. Percent thresholds are fractions of it.</param>
/// <param name="SwapFreeBytes">SwapFree (or the cgroup's remaining swap); 0 when there is no swap.</param>
/// <param name="SwapTotalBytes">SwapTotal; 0 means "no swap at all" (see <see cref="DaemonConfig"/>).</param>
/// <param name="Psi">Memory pressure stall counters, when the scope has PSI (not cgroup v1, not psi=0 kernels).</param>
public readonly record struct MemorySample(
    long TimeMs,
    long AvailableBytes,
    long TotalBytes,
    long SwapFreeBytes,
    long SwapTotalBytes,
    PsiReading Psi)
{
    /// <summary>
    /// The share (percent) of the last full-stall window the scope spent fully stalled, measured by the sensing side
    /// from the exact counters (<see cref="PsiFullStallTracker"/>); -1 when unknown (no PSI, or the window not yet covered).
    /// </summary>
    public double PsiFullWindowPercent { get; init; } = -1;

    public bool HasSwap => SwapTotalBytes > 0;

    /// <summary>Available memory as a percentage of the total (0 when the total is unknown).</summary>
    public double AvailablePercent => TotalBytes > 0 ? AvailableBytes * 100.0 / TotalBytes : 0;

    public double SwapFreePercent => SwapTotalBytes > 0 ? SwapFreeBytes * 100.0 / SwapTotalBytes : 0;
}
