namespace Reapd.Core.Decision;

/// <summary>One decision of the governor: what to do, why, and how bad memory is.</summary>
public readonly record struct EscalationDecision(DecisionKind Kind, DecisionReason Reason, PressureLevel Level)
{
    /// <summary>True when the daemon must scan and rank to pick a new victim.</summary>
    public bool NeedsChoice => Kind is DecisionKind.Terminate or DecisionKind.Kill;
}
