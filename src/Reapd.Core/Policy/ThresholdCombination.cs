namespace Reapd.Core.Policy;

/// <summary>How the memory line and the swap line combine into a term or kill condition (PSI lines are always their own).</summary>
public enum ThresholdCombination : byte
{
    /// <summary>
    /// Low memory counts only together with low swap where there is swap (earlyoom's rule, reapd's default): swap with
    /// room is memory the kernel can still get.
    /// </summary>
    MemoryAndSwap,

    /// <summary>Either line alone is enough.</summary>
    AnyOf,
}
