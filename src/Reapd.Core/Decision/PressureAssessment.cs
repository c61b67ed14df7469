using Reapd.Core.Daemon;
using Reapd.Core.Policy;

namespace Reapd.Core.Decision;

/// <summary>
/// How bad memory is in one sample, by the configured lines (docs/daemon.md, "Thresholds"): available memory and free
/// swap each against their own term and kill lines, combined as memory-and-swap (earlyoom's rule: low memory counts
/// only together with low swap where there is swap) or any-of; with no swap at all memory alone decides either way.
/// The PSI full and some conditions are kill conditions of their own, each once its share of the window has held at
/// or above its level for its duration; the sensing side measures share and duration (<see cref="SustainedStall"/>)
/// and they arrive in the sample. So is the thrash condition (a short full stall with refaults, held for its duration,
/// measured by <see cref="ThrashTracker"/>). Every condition is monotone: less available memory, less free swap or more stall
/// never makes the level lower — which is what lets a lower bound on available memory prove a quiet cycle
/// (<see cref="ProvesQuiet"/>).
/// </summary>
public static class PressureAssessment
{
    public static long TermLevelBytes(in MemorySample sample, DaemonConfig config) => (long)(sample.TotalBytes * config.TermPercent / 100);

    public static long KillLevelBytes(in MemorySample sample, DaemonConfig config) => (long)(sample.TotalBytes * config.KillPercent / 100);

    public static long SwapTermLevelBytes(in MemorySample sample, DaemonConfig config) =>
        (long)(sample.SwapTotalBytes * (config.SwapTermPercent ?? config.TermPercent) / 100);

    public static long SwapKillLevelBytes(in MemorySample sample, DaemonConfig config) =>
        (long)(sample.SwapTotalBytes * (config.SwapKillPercent ?? config.KillPercent) / 100);

    public static bool IsFullStall(in MemorySample sample, DaemonConfig config) =>
        config.PsiFullPercent is double level && sample.PsiFullWindowPercent >= 0 && sample.PsiFullWindowPercent >= level
        && sample.PsiFullHeldMs >= config.PsiFullDurationMs;

    public static bool IsSomeStall(in MemorySample sample, DaemonConfig config) =>
        config.PsiSomePercent is double level && sample.PsiSomeWindowPercent >= 0 && sample.PsiSomeWindowPercent >= level
        && sample.PsiSomeHeldMs >= config.PsiSomeDurationMs;

    public static bool IsThrash(in MemorySample sample, DaemonConfig config) =>
        config.ThrashFullPercent is not null && sample.ThrashHeldMs >= 0 && sample.ThrashHeldMs >= config.ThrashDurationMs;

    public static PressureLevel Assess(in MemorySample sample, DaemonConfig config) => Assess(sample, config, out _);

    /// <summary>The level and the condition that set it. A stall condition is named before the memory lines when both hold.</summary>
    public static PressureLevel Assess(in MemorySample sample, DaemonConfig config, out PressureCondition condition)
    {
        if (IsThrash(sample, config))
        {
            condition = PressureCondition.Thrash;
            return PressureLevel.Kill;
        }
        if (IsFullStall(sample, config))
        {
            condition = PressureCondition.PsiFull;
            return PressureLevel.Kill;
        }
        if (IsSomeStall(sample, config))
        {
            condition = PressureCondition.PsiSome;
            return PressureLevel.Kill;
        }
        if (sample.TotalBytes <= 0)
        {
            condition = PressureCondition.None;
            return PressureLevel.None;
        }
        condition = Lines(sample, config, KillLevelBytes(sample, config), SwapKillLevelBytes(sample, config));
        if (condition != PressureCondition.None)
        {
            return PressureLevel.Kill;
        }
        condition = Lines(sample, config, TermLevelBytes(sample, config), SwapTermLevelBytes(sample, config));
        return condition != PressureCondition.None ? PressureLevel.Term : PressureLevel.None;
    }

    /// <summary>
    /// Whether a sample whose available memory is a lower bound (and whose free swap is a lower bound or exact) proves
    /// that the exact sample would be quiet too: the assessment is monotone, so a bound that crosses no line means the
    /// real reading crosses none. The quiet wake-up of the system sensor decides on this without reading /proc/meminfo.
    /// </summary>
    public static bool ProvesQuiet(in MemorySample lowerBound, DaemonConfig config) => Assess(lowerBound, config) == PressureLevel.None;

    /// <summary>
    /// The memory and swap lines at one level. Swap counts only where there is swap: with SwapTotal 0 memory alone
    /// decides, under both combinations. With memory-and-swap, swap with room is memory the kernel can still get;
    /// thrashing on swap with room is what the stall conditions catch.
    /// </summary>
    private static PressureCondition Lines(in MemorySample sample, DaemonConfig config, long memoryLevelBytes, long swapLevelBytes)
    {
        bool memoryLow = sample.AvailableBytes <= memoryLevelBytes;
        if (!sample.HasSwap)
        {
            return memoryLow ? PressureCondition.Memory : PressureCondition.None;
        }
        bool swapLow = sample.SwapFreeBytes <= swapLevelBytes;
        return (config.Combination, memoryLow, swapLow) switch
        {
            (_, true, true) => PressureCondition.MemoryAndSwap,
            (ThresholdCombination.AnyOf, true, false) => PressureCondition.Memory,
            (ThresholdCombination.AnyOf, false, true) => PressureCondition.Swap,
            _ => PressureCondition.None,
        };
    }
}
