using System.Diagnostics;
using System.Runtime.ExceptionServices;
using Reapd.Linux.Sensors;

namespace Reapd.Linux.Kill;

/// <summary>
/// A long-lived thread that runs reap jobs off the decision loop, as Android's lmkd runs process_mrelease on a reaper
/// thread of its own: the call takes the victim's mmap lock for reading and so waits behind a queued writer that
/// itself waits on a reader stuck on a hung FUSE or NFS page (killable only by a fatal signal to reapd), unmaps
/// gigabytes at tens of milliseconds each, and sleeps between EAGAIN retries. None of that may hold up sampling or a
/// stop request.
/// <para>
/// One mailbox slot: <see cref="Submit"/> hands over a job, refused with a value while one is in flight (the
/// decision allows one victim in flight). When the job returns, <see cref="CompletionFd"/> becomes readable: the loop
/// polls it in its wake set and then reads the result with <see cref="TryTakeCompletion"/> on its own thread. A job
/// that does not return stays visible (<see cref="IsBusy"/>, <see cref="BusySinceTimestamp"/>) and is never waited
/// for: <see cref="Stop"/> only sets the stop flag (the job's CancellationToken) and returns, and the thread is a
/// background thread, so a reap stuck in the kernel never holds up the process's exit (exit_group's SIGKILL also ends a
/// killable wait in the kernel). Submitting, running and taking a job allocate nothing once warm.
/// </para>
/// The loop thread is the only caller of Submit, TryTakeCompletion, Stop and Dispose. Owns the thread and its two
/// eventfds; the thread holds a reference on each eventfd, so they are closed only when both sides are done with them.
/// </summary>
public sealed class ReaperThread : IDisposable
{
    private const int Idle = 0;
    private const int Running = 1;
    private const int Finished = 2;

    private readonly EventFdHandle _jobEvent;
    private readonly int _jobEventFd;
    private readonly EventFdHandle _completion;
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;

    // The mailbox. The loop moves Idle → Running (Submit) and Finished → Idle (take); the thread moves
    // Running → Finished. Each side publishes the fields it wrote with the Volatile.Write of the state.
    private int _state;
    private IReapJob? _job;
    private long _submittedTimestamp;
    private long _startedTimestamp;
    private long _finishedTimestamp;
    private ReapOutcome _outcome;
    private ExceptionDispatchInfo? _fault;
    private long _threadAllocatedBytes;
    private volatile bool _stopping;

    private ReaperThread(EventFdHandle jobEvent, EventFdHandle completion)
    {
        _jobEvent = jobEvent;
        _jobEventFd = jobEvent.Fd;
        _completion = completion;
        _thread = new Thread(Run, maxStackSize: 256 * 1024) { IsBackground = true, Name = "reapd reaper" };
    }

    /// <summary>
    /// Creates the eventfds and starts the thread. Null, with the errno, when the kernel refuses an eventfd. The thread
    /// inherits the caller's nice value (setpriority on Linux sets one thread's): start it after raising the priority
    /// so a CPU-starved machine still runs the reap.
    /// </summary>
    public static ReaperThread? TryStart(out int errno)
    {
        EventFdHandle? jobEvent = EventFdHandle.Create(out errno);
        if (jobEvent is null)
        {
            return null;
        }
        EventFdHandle? completion = EventFdHandle.Create(out errno);
        if (completion is null)
        {
            jobEvent.Dispose();
            return null;
        }
        var reaper = new ReaperThread(jobEvent, completion);
        // The thread's references on both eventfds, taken here so that a Dispose racing the thread's start cannot
        // close them first; the thread releases them when it ends.
        bool added = false;
        jobEvent.DangerousAddRef(ref added);
        added = false;
        completion.DangerousAddRef(ref added);
        reaper._thread.Start();
        return reaper;
    }

    /// <summary>Readable (POLLIN) once a job has returned; for the loop's wake set. Drained by <see cref="TryTakeCompletion"/>.</summary>
    public int CompletionFd => _completion.Fd;

    /// <summary>A job was submitted and has not returned yet (it may be blocked in the kernel).</summary>
    public bool IsBusy => Volatile.Read(ref _state) == Running;

    /// <summary>Stopwatch timestamp of the running job's submission; 0 when no job is running.</summary>
    public long BusySinceTimestamp => IsBusy ? _submittedTimestamp : 0;

    /// <summary>Whether the thread still runs: false once it has seen the stop and no job holds it.</summary>
    public bool IsThreadRunning => _thread.IsAlive;

    /// <summary>Managed bytes the reaper thread had allocated when it finished its last job (for the zero-allocation test).</summary>
    public long ThreadAllocatedBytes => Volatile.Read(ref _threadAllocatedBytes);

    /// <summary>Hands <paramref name="job"/> to the reaper thread; refused with a value while one is in flight or unread.</summary>
    public ReapSubmitOutcome Submit(IReapJob job)
    {
        if (_stopping)
        {
            return ReapSubmitOutcome.Stopped;
        }
        switch (Volatile.Read(ref _state))
        {
            case Running:
                return ReapSubmitOutcome.Busy;
            case Finished:
                return ReapSubmitOutcome.CompletionNotTaken;
        }
        _job = job;
        _submittedTimestamp = Stopwatch.GetTimestamp();
        Volatile.Write(ref _state, Running);
        _jobEvent.Signal();
        return ReapSubmitOutcome.Accepted;
    }

    /// <summary>
    /// After <see cref="CompletionFd"/> fired: drains it and returns the finished job's result, freeing the mailbox.
    /// False when no job has finished (still running, or none). A job that threw rethrows here, on the caller's thread.
    /// </summary>
    public bool TryTakeCompletion(out ReapCompletion completion)
    {
        _ = _completion.Drain();
        if (Volatile.Read(ref _state) != Finished)
        {
            completion = default;
            return false;
        }
        completion = new ReapCompletion(_job!, _outcome, _startedTimestamp, _finishedTimestamp);
        ExceptionDispatchInfo? fault = _fault;
        _fault = null;
        _job = null;
        Volatile.Write(ref _state, Idle);
        fault?.Throw();
        return true;
    }

    /// <summary>
    /// Sets the stop flag (cancels the running job's token) and wakes the thread; never waits. The thread ends when
    /// the job in flight returns, or at once when there is none.
    /// </summary>
    public void Stop()
    {
        if (_stopping)
        {
            return;
        }
        _stopping = true;
        _stop.Cancel();
        _jobEvent.Signal();
    }

    public void Dispose()
    {
        Stop();
        // A thread still inside a job keeps its references: the eventfds close when it leaves, never under it. The
        // token source stays undisposed for the same reason (a running job may still wait on its WaitHandle).
        _jobEvent.Dispose();
        _completion.Dispose();
    }

    private void Run()
    {
        var wait = new WakeSet(1);
        try
        {
            wait.Add(_jobEventFd, WakeSet.Readable);
            CancellationToken stop = _stop.Token;
            while (true)
            {
                // A job accepted before a stop still runs (its token is cancelled: it may return at once).
                if (Volatile.Read(ref _state) == Running)
                {
                    RunJob(stop);
                    continue;
                }
                if (_stopping)
                {
                    return;
                }
                WakeOutcome waited = wait.Wait(-1, out _);
                if (waited is WakeOutcome.Failed or WakeOutcome.InvalidFd)
                {
                    throw new InvalidOperationException($"poll on the reaper's own eventfd failed: {waited}, errno {wait.LastErrno}");
                }
                _ = _jobEvent.Drain();
            }
        }
        finally
        {
            wait.Dispose();
            _jobEvent.DangerousRelease();
            _completion.DangerousRelease();
        }
    }

    private void RunJob(CancellationToken stop)
    {
        _startedTimestamp = Stopwatch.GetTimestamp();
        ReapOutcome outcome;
        try
        {
            outcome = _job!.Run(stop);
        }
#pragma warning disable CA1031 // A job's exception is carried to the loop thread and rethrown there, not swallowed.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            _fault = ExceptionDispatchInfo.Capture(exception);
            outcome = ReapOutcome.Failed;
        }
        _outcome = outcome;
        _finishedTimestamp = Stopwatch.GetTimestamp();
        Volatile.Write(ref _threadAllocatedBytes, GC.GetAllocatedBytesForCurrentThread());
        Volatile.Write(ref _state, Finished);
        _completion.Signal();
    }
}
