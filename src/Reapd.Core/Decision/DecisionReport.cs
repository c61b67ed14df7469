using Reapd.Core.Daemon;

namespace Reapd.Core.Decision;

/// <summary>
/// The figures of one event line the core decided on. Which fields mean something depends on <see cref="Kind"/>;
/// the others are zero. The actuator adds what only it knows (names, the wake-up, the scan's top list).
/// </summary>
public readonly record struct DecisionReport(
    ReportKind Kind,
    VictimId Victim = default,
    DecisionKind Decision = DecisionKind.Nothing,
    DecisionReason Reason = DecisionReason.Healthy,
    PressureLevel Level = PressureLevel.None,
    int ChoiceIndex = -1,
    int ExcludedCount = 0,
    int CandidateCount = 0,
    SettleCause Cause = SettleCause.Reaped,
    long InFlightMs = 0,
    long HeldBytes = 0,
    long HeldNowBytes = 0,
    long RecoveredBytes = 0,
    bool Reaped = false,
    bool Gone = false,
    bool Excluded = false,
    PressureCondition Condition = PressureCondition.None);
