using Reapd.Core.Decision;

namespace Reapd.Core.Replay;

/// <summary>What a replay did: every command the fresh core emitted (with the time of the input it answered), and the first divergence.</summary>
public sealed record ReplayOutcome(
    IReadOnlyList<(long TimeMs, Command Command)> Commands,
    int InputsReplayed,
    int InputsRecorded,
    long DroppedRecords,
    Divergence? FirstDivergence);
