namespace Reapd.Core.Replay;

/// <summary>The record types of a recording (docs/reliability.md, "Record and replay", gives the layout of each).</summary>
public enum RecordKind : byte
{
    /// <summary>A sample the core saw: time, the readings, whether the core was busy, what woke the loop.</summary>
    Sample = 1,
    /// <summary>The answer to a scan: the ranked candidates the core received.</summary>
    Scanned = 2,
    /// <summary>The outcome of a signal.</summary>
    Signalled = 3,
    /// <summary>What the reaper thread's process_mrelease answered.</summary>
    ReapAnswered = 4,
    /// <summary>A pidfd of the victim became readable.</summary>
    Exited = 5,
    /// <summary>A command the core emitted.</summary>
    Command = 6,
    /// <summary>Records the recorder had to drop (its queue was full) right before this point.</summary>
    Dropped = 7,
}
