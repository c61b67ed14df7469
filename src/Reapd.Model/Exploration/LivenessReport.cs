namespace Reapd.Model.Exploration;

/// <summary>Why a run that never leaves the pending region breaks the liveness invariant, and which case it is.</summary>
public sealed record LivenessReport(string Label, string Reason);
