namespace Reapd.Linux.Kill;

/// <summary>What <see cref="ReaperThread.Submit"/> did with a job: one job at most is in flight.</summary>
public enum ReapSubmitOutcome
{
    /// <summary>The reaper thread runs it now; its completion eventfd fires when it returns.</summary>
    Accepted,
    /// <summary>Refused: another job is still running (see <see cref="ReaperThread.BusySinceTimestamp"/>).</summary>
    Busy,
    /// <summary>Refused: the previous job finished but its completion has not been taken yet.</summary>
    CompletionNotTaken,
    /// <summary>Refused: the reaper was stopped.</summary>
    Stopped,
}
