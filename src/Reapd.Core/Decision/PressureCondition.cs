namespace Reapd.Core.Decision;

/// <summary>Which configured line a term or kill level came from; it goes into the trigger event and the metrics.</summary>
public enum PressureCondition : byte
{
    /// <summary>No line is crossed.</summary>
    None,
    /// <summary>Available memory alone (no swap, or any-of with swap still above its line).</summary>
    Memory,
    /// <summary>Free swap alone (any-of, memory still above its line).</summary>
    Swap,
    /// <summary>Available memory and free swap both at or below their lines.</summary>
    MemoryAndSwap,
    /// <summary>The full-stall share held at or above its level for the configured duration.</summary>
    PsiFull,
    /// <summary>The some-stall share held at or above its level for the configured duration.</summary>
    PsiSome,
    /// <summary>The thrash condition: a full stall with refaults over a short window, held for its duration.</summary>
    Thrash,
}
