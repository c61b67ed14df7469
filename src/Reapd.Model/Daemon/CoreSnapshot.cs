using Reapd.Core.Daemon;
using Reapd.Core.Decision;

namespace Reapd.Model.Daemon;

/// <summary>
/// The production <see cref="DecisionState"/> in the model's units, canonical so that states repeat: times as whole
/// ticks before now, each clamped at the one deadline the core compares it with (past it, every comparison the core
/// makes comes out the same forever); the no-candidate back-off as ticks left; bytes as units; victims as process
/// slots; the exclusions as a set of slots. Three fields feed only the figures of event lines and no rule (the time
/// of the first signal, the lowest available memory since, what the SIGTERMed victim held at the retarget scan):
/// they are kept at one representative value, so the model's reports show 0 for "in flight" and "recovered".
/// <see cref="Of"/> and <see cref="ToState"/> convert; a value the abstraction cannot hold throws (a broken model
/// assumption, not a verdict).
/// </summary>
internal readonly record struct CoreSnapshot(
    VictimPhase Phase,
    PendingAction Pending,
    sbyte Victim,
    KillSignal Signal,
    sbyte HeldUnits,
    sbyte ShmemUnits,
    byte TermSentAge,
    byte KillSentAge,
    bool VictimExited,
    byte VictimExitedAge,
    byte LiveSharers,
    bool SharersKilled,
    ReapState Reap,
    byte ReapAskedAge,
    byte ReapAnsweredAge,
    bool ReapSlowReported,
    sbyte LastAvailableUnits,
    sbyte LastTermLevelUnits,
    sbyte ProgressAvailableUnits,
    byte ProgressAtAge,
    byte NoCandidateTicksLeft,
    byte Exclusions)
{
    public static CoreSnapshot Initial(long nowMs, DaemonConfig config) => Of(DecisionState.Initial, nowMs, config);

    public static CoreSnapshot Of(in DecisionState s, long nowMs, DaemonConfig config)
    {
        byte exclusions = 0;
        for (int i = 0; i < s.Exclusions.Count; i++)
        {
            exclusions |= (byte)(1 << Processes.SlotOf(s.Exclusions[i]));
        }
        long left = s.NoCandidateUntilMs > nowMs ? s.NoCandidateUntilMs - nowMs : 0;
        return new CoreSnapshot(
            s.Phase,
            s.PendingAction,
            s.Victim == default ? (sbyte)-1 : (sbyte)Processes.SlotOf(s.Victim),
            s.PendingSignal,
            (sbyte)ModelScale.Units(s.HeldBytes),
            (sbyte)ModelScale.Units(s.ShmemBytes),
            Age(s.TermSentMs, nowMs, config.GraceMs),
            Age(s.KillSentMs, nowMs, config.SettleTimeoutMs),
            s.VictimExited,
            Age(s.VictimExitedMs, nowMs, config.SettleTimeoutMs),
            (byte)s.LiveSharers,
            s.SharersKilled,
            s.Reap,
            Age(s.ReapAskedMs, nowMs, config.ReapSlowReportMs),
            Age(s.ReapAnsweredMs, nowMs, config.ShmemExitWaitMs),
            s.ReapSlowReported,
            (sbyte)ModelScale.Units(s.LastAvailableBytes),
            (sbyte)ModelScale.Units(s.LastTermLevelBytes),
            (sbyte)ModelScale.Units(s.ProgressAvailableBytes),
            Age(s.ProgressAtMs, nowMs, config.StuckGraceMs),
            (byte)Ticks(left),
            exclusions);
    }

    public DecisionState ToState(long nowMs)
    {
        DecisionState s = DecisionState.Initial;
        s.Phase = Phase;
        s.PendingAction = Pending;
        s.Victim = Victim < 0 ? default : Processes.IdOf(Victim);
        s.PendingSignal = Signal;
        s.HeldBytes = ModelScale.Bytes(HeldUnits);
        s.ShmemBytes = ModelScale.Bytes(ShmemUnits);
        s.FirstSignalMs = nowMs; // report-only fields keep DecisionState.Initial's values, this one "now"
        s.TermSentMs = Time(TermSentAge, nowMs);
        s.KillSentMs = Time(KillSentAge, nowMs);
        s.VictimExited = VictimExited;
        s.VictimExitedMs = Time(VictimExitedAge, nowMs);
        s.LiveSharers = LiveSharers;
        s.SharersKilled = SharersKilled;
        s.Reap = Reap;
        s.ReapAskedMs = Time(ReapAskedAge, nowMs);
        s.ReapAnsweredMs = Time(ReapAnsweredAge, nowMs);
        s.ReapSlowReported = ReapSlowReported;
        s.LastAvailableBytes = ModelScale.Bytes(LastAvailableUnits);
        s.LastTermLevelBytes = ModelScale.Bytes(LastTermLevelUnits);
        s.ProgressAvailableBytes = ModelScale.Bytes(ProgressAvailableUnits);
        s.ProgressAtMs = Time(ProgressAtAge, nowMs);
        s.NoCandidateUntilMs = NoCandidateTicksLeft == 0 ? long.MinValue : nowMs + NoCandidateTicksLeft * ModelScale.TickMs;
        for (int slot = 0; slot < Processes.Count; slot++)
        {
            if ((Exclusions & (1 << slot)) != 0)
            {
                s.Exclusions.Add(Processes.IdOf(slot));
            }
        }
        return s;
    }

    /// <summary>
    /// Whole ticks since <paramref name="timeMs"/>, clamped at the deadline the core compares it with: once that is
    /// reached it stays reached. A deadline beyond the model's horizon (a broken variant's "never") is never reached.
    /// </summary>
    private static byte Age(long timeMs, long nowMs, long deadlineMs)
    {
        long ms = nowMs - timeMs;
        if (ms < 0)
        {
            throw new ModelAbstractionException($"the core holds a time {-ms} ms in the future");
        }
        long clampTicks = deadlineMs > ModelScale.MaxAgeTicks * ModelScale.TickMs ? 0 : (deadlineMs + ModelScale.TickMs - 1) / ModelScale.TickMs;
        return (byte)Math.Min(Ticks(ms), clampTicks);
    }

    private static long Ticks(long ms) => ms % ModelScale.TickMs == 0
        ? ms / ModelScale.TickMs
        : throw new ModelAbstractionException($"the core holds a time {ms} ms from now, not a whole number of ticks");

    private static long Time(byte age, long nowMs) => nowMs - age * ModelScale.TickMs;
}
