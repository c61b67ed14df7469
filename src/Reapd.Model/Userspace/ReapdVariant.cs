namespace Reapd.Model.Userspace;

/// <summary>reapd's own kill protocol (docs/kernel.md B.6, DESIGN.md), and the broken copies the guard tests need.</summary>
public enum ReapdVariant
{
    /// <summary>pidfd opened before the identity check; sharers killed; settled only when the memory is back, or escalated when the exit is stuck.</summary>
    Correct,
    /// <summary>Treats "process_mrelease said ESRCH" or "the pidfd is readable" as settled, although the memory may still be coming back.</summary>
    BrokenSettleGate,
    /// <summary>Checks the start time first and opens the pidfd afterwards, so the PID can be reused in between.</summary>
    BrokenPidCheck,
    /// <summary>Does not kill the other processes sharing the victim's mm, so process_mrelease is refused and the exit never frees it.</summary>
    NoSharerKill,
}
