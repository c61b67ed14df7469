using Reapd.Core.Daemon;

namespace Reapd.Core.Decision;

/// <summary>
/// The escalation, as the kernel's protocol has it (DESIGN.md): one victim at a time; SIGTERM first at the term
/// level; SIGKILL of that same victim when its grace ends or when memory reaches the kill level meanwhile; no new
/// victim while one is in flight. Pure: the state, the level and the time in, the decision out.
/// </summary>
public static class Escalation
{
    /// <summary>After a scan found nobody to choose, how long before scanning again (the list rarely changes faster).</summary>
    public const long NoCandidateBackoffMs = 1000;

    public static EscalationDecision Decide(in DecisionState state, PressureLevel level, long nowMs, DaemonConfig config)
    {
        if (state.PendingAction != PendingAction.None)
        {
            return new(DecisionKind.Wait, DecisionReason.VictimInFlight, level);
        }
        switch (state.Phase)
        {
            case VictimPhase.Killed:
                return new(DecisionKind.Wait, DecisionReason.VictimInFlight, level);
            case VictimPhase.Terminating when state.VictimExited:
                // It exited on the SIGTERM: nothing left to kill; the gate waits for its memory (and its sharers).
                return new(DecisionKind.Wait, DecisionReason.VictimInFlight, level);
            case VictimPhase.Terminating:
                if (level == PressureLevel.Kill)
                {
                    return new(DecisionKind.Escalate, DecisionReason.KillLevelDuringGrace, level);
                }
                if (nowMs - state.TermSentMs >= config.GraceMs)
                {
                    // A SIGTERM is a commitment: the victim was asked to go and has not, whatever memory does now.
                    return new(DecisionKind.Escalate, DecisionReason.GraceExpired, level);
                }
                return new(DecisionKind.Wait, DecisionReason.GraceRunning, level);
        }
        if (level == PressureLevel.None)
        {
            return new(DecisionKind.Nothing, DecisionReason.Healthy, level);
        }
        if (nowMs < state.NoCandidateUntilMs)
        {
            return new(DecisionKind.Wait, DecisionReason.NoCandidateRecently, level);
        }
        if (level == PressureLevel.Kill)
        {
            return new(DecisionKind.Kill, DecisionReason.KillLevel, level);
        }
        return config.GraceMs == 0
            ? new(DecisionKind.Kill, DecisionReason.TermLevel, level)
            : new(DecisionKind.Terminate, DecisionReason.TermLevel, level);
    }
}
