using Reapd.Core.Decision;
using Reapd.Core.Proc;

namespace Reapd.Announce;

/// <summary>
/// What the loop hands the announcer about a kill: plain values only (the name inline), so queueing one is a copy into
/// a preallocated slot and allocates nothing.
/// </summary>
internal struct KillNotice
{
    public KillNoticeKind Kind;
    public int Pid;
    public ulong StartTimeTicks;
    public ProcessName Name;
    public KillSignal Signal;
    public DecisionReason Reason;
    /// <summary>What the victim held when chosen: anonymous memory, swap and page tables (the core's HeldBytes).</summary>
    public long HeldBytes;
    /// <summary>After: how far available memory rose from its lowest point while the victim was in flight.</summary>
    public long RecoveredBytes;
    public SettleCause Cause;
    public long InFlightMs;
    public bool Reaped;
    public bool Gone;
}

internal enum KillNoticeKind : byte
{
    /// <summary>A signal is about to be sent (the before-kill hook).</summary>
    Before,
    /// <summary>The victim has settled (the after-kill hook and the desktop notification).</summary>
    After,
}
