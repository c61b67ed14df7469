using Reapd.Core.Decision;

namespace Reapd.Core.Replay;

/// <summary>
/// Where a replay first decided differently from the recording: the input both cores received (its record and time)
/// and the commands each emitted in answer to it.
/// </summary>
public sealed record Divergence(RecordedEvent Input, int InputNumber, IReadOnlyList<Command> Recorded, IReadOnlyList<Command> Replayed, string? Note = null);
