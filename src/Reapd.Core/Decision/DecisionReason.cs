namespace Reapd.Core.Decision;

/// <summary>Why the governor decided what it did; it goes into the event line.</summary>
public enum DecisionReason
{
    Healthy,
    TermLevel,
    KillLevel,
    PsiFullStall,
    GraceExpired,
    KillLevelDuringGrace,
    GraceRunning,
    VictimInFlight,
    NoCandidateRecently,
    PsiSomeStall,
    Thrash,
}
