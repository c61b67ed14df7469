using Reapd.Core.Daemon;
using Reapd.Core.Decision;

namespace Reapd.Core.Replay;

/// <summary>One record read back. Which fields mean something depends on <see cref="Kind"/>.</summary>
public sealed record RecordedEvent(RecordKind Kind, long Offset)
{
    public long TimeMs { get; init; }

    public MemorySample Sample { get; init; }

    /// <summary>Sample: a victim was in flight or an answer awaited when it arrived.</summary>
    public bool Busy { get; init; }

    /// <summary>Sample: what woke the loop (the daemon's wake flags).</summary>
    public int Wake { get; init; }

    public RankedVictim[] Ranked { get; init; } = [];

    /// <summary>Scanned: how many candidates the scan had (more than <see cref="Ranked"/> holds when it was cut at <see cref="RecordEncoder.MaxRankedRecorded"/>).</summary>
    public int RankedTotal { get; init; }

    public SignalResult Signal { get; init; }

    public int LiveSharers { get; init; }

    public ReapObservation Reap { get; init; }

    public bool VictimExited { get; init; }

    public Command Command { get; init; }

    public long DroppedRecords { get; init; }

    /// <summary>Reconfigured: the settings from here on.</summary>
    public DaemonConfig? Config { get; init; }

    /// <summary>Adopted: the victim, its phase, when it was signalled (ms), what it held and what was available then.</summary>
    public VictimId Victim { get; init; }

    public VictimPhase Phase { get; init; }

    public long SignalledMs { get; init; }

    public long HeldBytes { get; init; }

    public long AvailableBytes { get; init; }

    /// <summary>ScanNames: the candidates' comm, in the order of the scan answer after it.</summary>
    public string[] Names { get; init; } = [];

    public bool IsInput => Kind is RecordKind.Sample or RecordKind.Scanned or RecordKind.Signalled or RecordKind.ReapAnswered or RecordKind.Exited or RecordKind.Adopted;
}
