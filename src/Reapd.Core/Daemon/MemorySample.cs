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
/// <param name="SwapFreeBytes">
/// Free swap as the decision counts it: SwapFree (or the cgroup's remaining swap), and with zram-aware sensing no more
/// than each zram device's remaining memory can still store (<see cref="ZramSwapBound"/>); 0 when there is no swap.
/// </param>
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

    /// <summary>How long <see cref="PsiFullWindowPercent"/> has stayed at or above the configured level (-1: it is below).</summary>
    public long PsiFullHeldMs { get; init; }

    /// <summary>The share (percent) of the last some-stall window the scope spent partly stalled; -1 when unknown or off.</summary>
    public double PsiSomeWindowPercent { get; init; } = -1;

    /// <summary>How long <see cref="PsiSomeWindowPercent"/> has stayed at or above the configured level (-1: it is below).</summary>
    public long PsiSomeHeldMs { get; init; }

    /// <summary>The full-stall share (percent) of the thrash condition's short window; -1 when unknown (no PSI, off, or the window not yet covered).</summary>
    public double ThrashFullPercent { get; init; } = -1;

    /// <summary>Refaults per second over the thrash window (<see cref="ThrashTracker"/>); -1 when unknown or not counted (no stall).</summary>
    public double ThrashRefaultsPerSecond { get; init; } = -1;

    /// <summary>Swap-ins per 100 swap-outs over the thrash window (<see cref="ThrashTracker.SwapInPercent"/>); -1 when unknown. Not recorded (replay has the held time).</summary>
    public double ThrashSwapInPercent { get; init; } = -1;

    /// <summary>How long the thrash condition (stall and refaults) has held; -1 when it does not.</summary>
    public long ThrashHeldMs { get; init; } = -1;

    /// <summary>SwapFree as the kernel reports it, when zram-aware sensing counted less (-1: the same as <see cref="SwapFreeBytes"/>).</summary>
    public long RawSwapFreeBytes { get; init; } = -1;

    /// <summary>
    /// True when <see cref="AvailableBytes"/> is the proven lower bound of a quiet wake-up (free pages less the kernel's
    /// reserves, docs/kernel.md) rather than MemAvailable itself: the sensing side read no /proc/meminfo this cycle.
    /// </summary>
    public bool AvailableIsLowerBound { get; init; }

    /// <summary>
    /// What <see cref="AvailableBytes"/> counts of a recent victim's memory that the kernel's per-CPU free lists still
    /// held, which MemAvailable leaves out (<see cref="PerCpuListCredit"/>); 0 when nothing was added.
    /// </summary>
    public long ListCreditBytes { get; init; }

    public bool HasSwap => SwapTotalBytes > 0;

    /// <summary>Available memory as a percentage of the total (0 when the total is unknown).</summary>
    public double AvailablePercent => TotalBytes > 0 ? AvailableBytes * 100.0 / TotalBytes : 0;

    public double SwapFreePercent => SwapTotalBytes > 0 ? SwapFreeBytes * 100.0 / SwapTotalBytes : 0;
}
