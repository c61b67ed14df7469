namespace Reapd.Model.Daemon;

/// <summary>How the core let go of the last victim that was signalled (ground truth for property P2).</summary>
internal enum ReleaseKind : byte
{
    /// <summary>No victim was signalled yet.</summary>
    NoVictim,
    /// <summary>The core still holds it.</summary>
    InFlight,
    Reaped,
    ReapedShmemExit,
    Exited,
    StuckInMmput,
    Timeout,
    /// <summary>Passed over at the kill level, and the retarget rule's conditions held in truth.</summary>
    Retarget,
    /// <summary>Passed over at the kill level although it was shrinking or its kill alone would have been enough.</summary>
    BadRetarget,
    /// <summary>Let go without a settle (a signal that found it gone, a protected sharer, a failure).</summary>
    Dropped,
}
