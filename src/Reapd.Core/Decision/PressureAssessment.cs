using Reapd.Core.Daemon;

namespace Reapd.Core.Decision;

/// <summary>
/// How bad memory is in one sample, by the configured lines. Low memory counts only together with low swap where
/// there is swap (swap with room is memory the kernel can still get); with no swap at all memory alone decides. A
/// full PSI stall over the configured share of its window is a kill condition of its own; the share is measured by
/// the sensing side (<see cref="PsiFullStallTracker"/>) and arrives in the sample.
/// </summary>
public static class PressureAssessment
{
    public static long TermLevelBytes(in MemorySample sample, DaemonConfig config) => (long)(sample.TotalBytes * config.TermPercent / 100);

    public static long KillLevelBytes(in MemorySample sample, DaemonConfig config) => (long)(sample.TotalBytes * config.KillPercent / 100);

    public static bool IsFullStall(in MemorySample sample, DaemonConfig config) =>
        config.PsiFullPercent is double level && sample.PsiFullWindowPercent >= 0 && sample.PsiFullWindowPercent >= level;

    public static PressureLevel Assess(in MemorySample sample, DaemonConfig config)
    {
        bool stalled = IsFullStall(sample, config);
        if (sample.TotalBytes <= 0)
        {
            return stalled ? PressureLevel.Kill : PressureLevel.None;
        }
        if (stalled || (sample.AvailableBytes <= KillLevelBytes(sample, config) && SwapLow(sample, config.KillPercent)))
        {
            return PressureLevel.Kill;
        }
        if (sample.AvailableBytes <= TermLevelBytes(sample, config) && SwapLow(sample, config.TermPercent))
        {
            return PressureLevel.Term;
        }
        return PressureLevel.None;
    }

    /// <summary>
    /// Swap still counts as room only where there is swap: with SwapTotal 0 the swap side is always "low", so memory
    /// alone decides. With swap, both must be low; thrashing on swap with room is what the full-stall condition catches.
    /// </summary>
    private static bool SwapLow(in MemorySample sample, double percent) =>
        !sample.HasSwap || sample.SwapFreeBytes * 100.0 <= sample.SwapTotalBytes * percent;
}
