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
    /// <summary>A configuration reload: the settings the core decides with from the next input on.</summary>
    Reconfigured = 8,
    /// <summary>At start, the core adopted a victim a previous instance left in flight (its state file).</summary>
    Adopted = 9,
    /// <summary>
    /// The process names (comm) of the candidates of the scan answer that follows, in its order: what a replay with
    /// other protect rules can match (the scan answer itself holds only identities and sizes).
    /// </summary>
    ScanNames = 10,
}
