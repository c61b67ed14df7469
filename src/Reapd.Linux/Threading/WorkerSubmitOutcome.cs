namespace Reapd.Linux.Threading;

/// <summary>Whether a <see cref="SingleJobWorker"/> would take a job now: one job at most is in flight.</summary>
public enum WorkerSubmitOutcome
{
    /// <summary>Free: the job is taken, and the completion eventfd fires when it returns.</summary>
    Accepted,
    /// <summary>Refused: another job is still running, or was abandoned and has not returned yet.</summary>
    Busy,
    /// <summary>Refused: the previous job finished but its answer has not been taken yet.</summary>
    CompletionNotTaken,
    /// <summary>Refused: the worker was stopped.</summary>
    Stopped,
}
