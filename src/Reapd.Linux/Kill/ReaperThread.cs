using Reapd.Linux.Threading;

namespace Reapd.Linux.Kill;

/// <summary>
/// A long-lived thread that runs reap jobs off the decision loop, as Android's lmkd runs process_mrelease on a reaper
/// thread of its own: the call takes the victim's mmap lock for reading and so waits behind a queued writer that
/// itself waits on a reader stuck on a hung FUSE or NFS page (killable only by a fatal signal to reapd), unmaps
/// gigabytes at tens of milliseconds each, and sleeps between EAGAIN retries. None of that may hold up sampling or a
/// stop request.
/// <para>
/// The hand-over is <see cref="SingleJobWorker"/>'s one mailbox slot: <see cref="Submit"/> hands over a job, refused
/// with a value while one is in flight (the decision allows one victim in flight). When the job returns,
/// <see cref="SingleJobWorker.CompletionFd"/> becomes readable: the loop polls it in its wake set and then reads the
/// result with <see cref="TryTakeCompletion"/> on its own thread. A job that does not return stays visible
/// (<see cref="SingleJobWorker.IsBusy"/>, <see cref="SingleJobWorker.BusySinceTimestamp"/>) and is never waited for:
/// <see cref="SingleJobWorker.Stop"/> only cancels the job's token and returns. A reap is never abandoned: its answer
/// always reaches the loop.
/// </para>
/// The loop thread is the only caller of Submit, TryTakeCompletion, Stop and Dispose.
/// </summary>
public sealed class ReaperThread : SingleJobWorker
{
    // The job, written by the loop before StartJob publishes it; the outcome, written by the thread before the
    // completion publishes it.
    private IReapJob? _job;
    private ReapOutcome _outcome;

    private ReaperThread()
        : base("reapd reaper")
    {
    }

    /// <summary>
    /// Creates the eventfds and starts the thread. Null, with the errno, when the kernel refuses an eventfd. The thread
    /// inherits the caller's nice value: start it after raising the priority so a CPU-starved machine still runs the reap.
    /// </summary>
    public static ReaperThread? TryStart(out int errno)
    {
        var reaper = new ReaperThread();
        return reaper.TryStartThread(out errno) ? reaper : null;
    }

    /// <summary>Hands <paramref name="job"/> to the reaper thread; refused with a value while one is in flight or unread.</summary>
    public ReapSubmitOutcome Submit(IReapJob job)
    {
        switch (Admission)
        {
            case WorkerSubmitOutcome.Stopped:
                return ReapSubmitOutcome.Stopped;
            case WorkerSubmitOutcome.Busy:
                return ReapSubmitOutcome.Busy;
            case WorkerSubmitOutcome.CompletionNotTaken:
                return ReapSubmitOutcome.CompletionNotTaken;
        }
        _job = job;
        StartJob();
        return ReapSubmitOutcome.Accepted;
    }

    /// <summary>
    /// After <see cref="SingleJobWorker.CompletionFd"/> fired: drains it and returns the finished job's result, freeing
    /// the mailbox. False when no job has finished (still running, or none). A job that threw rethrows here, on the
    /// caller's thread.
    /// </summary>
    public bool TryTakeCompletion(out ReapCompletion completion)
    {
        if (!PollFinished())
        {
            completion = default;
            return false;
        }
        completion = new ReapCompletion(_job!, _outcome, StartedTimestamp, FinishedTimestamp);
        _job = null;
        ReleaseFinished();
        return true;
    }

    protected override void RunJob(CancellationToken stop)
    {
        // What the loop reads when the job throws (the exception itself is rethrown on the loop's take).
        _outcome = ReapOutcome.Failed;
        _outcome = _job!.Run(stop);
    }
}
