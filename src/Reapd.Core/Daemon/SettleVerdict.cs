namespace Reapd.Core.Daemon;

/// <summary>
/// One evaluation of the settle gate. When <see cref="Kind"/> is Settled it carries what the event line reports:
/// the reason, how long the victim was in flight and how much memory came back.
/// </summary>
public readonly record struct SettleVerdict(
    SettleVerdictKind Kind,
    SettleReason Reason,
    VictimId Victim,
    long InFlightMs,
    long HeldBytes,
    long RecoveredBytes,
    bool Reaped,
    bool Gone)
{
    public bool ExcludesVictim => Kind == SettleVerdictKind.Settled && Reason is SettleReason.Timeout or SettleReason.StuckInMmput;
}
