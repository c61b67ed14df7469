namespace Reapd.Model;

/// <summary>
/// The outcome of replaying a printed trace: whether every step was enabled in turn and the run broke the invariant
/// the trace names, what was found, and the trace as printed again from the replay. <see cref="Error"/> says why a
/// trace could not be replayed (malformed, unknown variant or scenario, a step that is not enabled).
/// </summary>
public sealed record ReplayResult(bool Reproduced, string Violation, string Found, string Trace, string? Error);
