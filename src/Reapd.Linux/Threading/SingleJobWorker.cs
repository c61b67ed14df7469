using System.Diagnostics;
using System.Runtime.ExceptionServices;
using Reapd.Linux.Sensors;

namespace Reapd.Linux.Threading;

/// <summary>
/// A long-lived thread that runs one job at a time for the decision loop, so that work which can block in the kernel
/// (process_mrelease behind a held mmap lock, a /proc read of a process whose mm is held) holds this thread and never
/// the loop. The reaper thread, the scanner threads and the configuration reload thread are all this protocol; only
/// their jobs differ.
/// <para>
/// The contract, one mailbox slot with four states. The loop hands over a job only when the worker is idle: the
/// subclass checks <see cref="Admission"/>, writes the job into its own fields, then calls <see cref="StartJob"/>
/// (Idle → Running), which wakes the thread through an eventfd. The thread runs <see cref="RunJob"/> and moves
/// Running → Finished, and <see cref="CompletionFd"/> becomes readable: the loop polls it in its wake set, sees
/// <see cref="PollFinished"/>, reads the subclass's result fields, and frees the slot with
/// <see cref="ReleaseFinished"/> (Finished → Idle), which rethrows on the loop's thread an exception the job threw.
/// The loop may instead stop waiting for a job (<see cref="TryAbandon"/>, Running → Abandoned): the thread then drops
/// the answer when the job returns and becomes idle by itself, without a completion signal.
/// </para>
/// <para>
/// A job that does not return is never waited for: <see cref="Stop"/> cancels the job's token, wakes the thread and
/// returns; the thread ends when the job in flight returns, or at once when there is none. It is a background thread,
/// so a job stuck in the kernel never holds up the process's exit (exit_group's SIGKILL also ends a killable wait).
/// <see cref="Join"/> waits for the end with a bound, for callers that can afford to (tests); the loop never joins.
/// </para>
/// Each state is written by one side only (the loop: Idle → Running, Running → Abandoned, Finished → Idle; the
/// thread: Running → Finished, Abandoned → Idle), and each side publishes the fields it wrote with the volatile or
/// interlocked write of the state. The loop thread is the only caller of the protected members other than
/// <see cref="RunJob"/>, and of Stop and Dispose. Submitting, running and taking a job allocate nothing once warm.
/// Owns the thread and both eventfds; the thread holds a reference on each eventfd, so they are closed only when both
/// sides are done with them. This class is the one place where the daemon's job threads (a job handed over, answered
/// once) are created; the threads that drain a queue (events, announcer, metrics, recording) are not jobs.
/// </summary>
public abstract class SingleJobWorker : IDisposable
{
    private const int Idle = 0;
    private const int Running = 1;
    private const int Finished = 2;
    private const int Abandoned = 3;

    /// <summary>Enough for the jobs' frames (no recursion, buffers are fields); the default 8 MiB is mostly untouched address space.</summary>
    private const int StackBytes = 256 * 1024;

    private readonly Thread _thread;
    private readonly CancellationTokenSource _stop = new();
    private EventFdHandle? _jobEvent;
    private EventFdHandle? _completion;
    private volatile bool _stopping;
    private int _state;
    private long _submittedTimestamp;
    private long _startedTimestamp;
    private long _finishedTimestamp;
    private long _threadAllocatedBytes;
    private ExceptionDispatchInfo? _fault;

    /// <summary>Creates the thread without starting it: the subclass's own fields must be set before its first job.</summary>
    protected SingleJobWorker(string threadName)
    {
        _thread = new Thread(Run, StackBytes) { IsBackground = true, Name = threadName };
    }

    /// <summary>Readable (POLLIN) once a job has finished; for the loop's wake set. Drained by <see cref="PollFinished"/>.</summary>
    public int CompletionFd => _completion?.Fd ?? -1;

    /// <summary>Free to take a job: none is running, abandoned and still running, or finished and untaken.</summary>
    public bool IsIdle => Volatile.Read(ref _state) == Idle;

    /// <summary>A job is inside <see cref="RunJob"/> or about to be (it may be blocked in the kernel), abandoned or not.</summary>
    public bool IsBusy => Volatile.Read(ref _state) is Running or Abandoned;

    /// <summary>Stopwatch timestamp of the busy job's submission; 0 when no job is busy.</summary>
    public long BusySinceTimestamp => IsBusy ? _submittedTimestamp : 0;

    /// <summary>Whether the thread still runs: false once it has seen the stop and no job holds it.</summary>
    public bool IsThreadRunning => _thread.IsAlive;

    /// <summary>Managed bytes the thread had allocated when it finished its last job (for the zero-allocation tests).</summary>
    public long ThreadAllocatedBytes => Volatile.Read(ref _threadAllocatedBytes);

    /// <summary>Stopwatch timestamp at which the thread began the last job; read after <see cref="PollFinished"/>.</summary>
    protected long StartedTimestamp => _startedTimestamp;

    /// <summary>Stopwatch timestamp at which the last job returned; read after <see cref="PollFinished"/>.</summary>
    protected long FinishedTimestamp => _finishedTimestamp;

    /// <summary>
    /// Whether a job handed over now would be taken, and if not why. Checked before the subclass writes the job into
    /// its fields, which the running job may still be reading.
    /// </summary>
    protected WorkerSubmitOutcome Admission =>
        _stopping ? WorkerSubmitOutcome.Stopped
        : Volatile.Read(ref _state) switch
        {
            Idle => WorkerSubmitOutcome.Accepted,
            Finished => WorkerSubmitOutcome.CompletionNotTaken,
            _ => WorkerSubmitOutcome.Busy,
        };

    /// <summary>For the thread's job: whether the loop has stopped waiting for it (then nothing it publishes is read).</summary>
    protected bool IsAbandoned => Volatile.Read(ref _state) == Abandoned;

    /// <summary>
    /// Sets the stop flag (cancels the running job's token) and wakes the thread; never waits. The thread ends when the
    /// job in flight returns, or at once when there is none. Later submissions are refused as Stopped.
    /// </summary>
    public void Stop()
    {
        if (_stopping)
        {
            return;
        }
        _stopping = true;
        _stop.Cancel();
        _jobEvent?.Signal();
    }

    /// <summary>Waits at most <paramref name="timeoutMs"/> for the thread to end (after <see cref="Stop"/>): whether it did.</summary>
    public bool Join(int timeoutMs) => !_thread.IsAlive || _thread.Join(timeoutMs);

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Stops the thread (without waiting) and lets go of the eventfds; a subclass that owns more frees it too.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (!disposing)
        {
            return;
        }
        Stop();
        // A thread still inside a job keeps its references: the eventfds close when it leaves, never under it. The
        // token source stays undisposed for the same reason (a running job may still wait on its WaitHandle).
        _jobEvent?.Dispose();
        _completion?.Dispose();
    }

    /// <summary>
    /// Creates the eventfds and starts the thread: false, with the errno, when the kernel refuses an eventfd (nothing
    /// is left open then). The thread inherits the caller's nice value (setpriority on Linux sets one thread's): start
    /// it after raising the priority so that a CPU-starved machine still runs its jobs.
    /// </summary>
    protected bool TryStartThread(out int errno)
    {
        EventFdHandle? jobEvent = EventFdHandle.Create(out errno);
        if (jobEvent is null)
        {
            return false;
        }
        EventFdHandle? completion = EventFdHandle.Create(out errno);
        if (completion is null)
        {
            jobEvent.Dispose();
            return false;
        }
        _jobEvent = jobEvent;
        _completion = completion;
        // The thread's references on both eventfds, taken here so that a Dispose racing the thread's start cannot
        // close them first; the thread releases them when it ends.
        bool added = false;
        jobEvent.DangerousAddRef(ref added);
        added = false;
        completion.DangerousAddRef(ref added);
        _thread.Start();
        return true;
    }

    /// <summary>
    /// Publishes the job the subclass has written into its fields and wakes the thread (Idle → Running). Only after
    /// <see cref="Admission"/> answered Accepted: anything else is a broken invariant.
    /// </summary>
    protected void StartJob()
    {
        if (_stopping || Volatile.Read(ref _state) != Idle)
        {
            throw new InvalidOperationException($"a job was handed to {_thread.Name} while it was not free to take one");
        }
        _submittedTimestamp = Stopwatch.GetTimestamp();
        Volatile.Write(ref _state, Running);
        _jobEvent!.Signal();
    }

    /// <summary>
    /// Drains the completion eventfd and tells whether the job has finished: then its results may be read, until
    /// <see cref="ReleaseFinished"/>. False while it runs (or was abandoned), or when there is none.
    /// </summary>
    protected bool PollFinished()
    {
        _ = _completion!.Drain();
        return Volatile.Read(ref _state) == Finished;
    }

    /// <summary>
    /// Frees the slot once the finished job's results are read (Finished → Idle); a job that threw rethrows here, on
    /// the caller's thread, with the slot already free.
    /// </summary>
    protected void ReleaseFinished()
    {
        if (Volatile.Read(ref _state) != Finished)
        {
            throw new InvalidOperationException($"{_thread.Name} was released without a finished job");
        }
        ExceptionDispatchInfo? fault = _fault;
        _fault = null;
        Volatile.Write(ref _state, Idle);
        fault?.Throw();
    }

    /// <summary>
    /// Stops waiting for the running job (Running → Abandoned): its answer will be dropped and the thread becomes idle
    /// by itself when it returns. False when the job has finished first: its whole answer is there to be read and
    /// released as usual.
    /// </summary>
    protected bool TryAbandon() => Interlocked.CompareExchange(ref _state, Abandoned, Running) == Running;

    /// <summary>
    /// Runs one job on the worker's thread, from the fields the subclass wrote before <see cref="StartJob"/>, and leaves
    /// its results in fields the loop reads after <see cref="PollFinished"/>. <paramref name="stop"/> is cancelled by
    /// <see cref="Stop"/>: a job that waits should wait on its WaitHandle. An exception is carried to the loop thread.
    /// </summary>
    protected abstract void RunJob(CancellationToken stop);

    private void Run()
    {
        EventFdHandle jobEvent = _jobEvent!;
        EventFdHandle completion = _completion!;
        var wait = new WakeSet(1);
        try
        {
            wait.Add(jobEvent.Fd, WakeSet.Readable);
            CancellationToken stop = _stop.Token;
            while (true)
            {
                // A job accepted before a stop still runs (its token is cancelled: it may return at once).
                int state = Volatile.Read(ref _state);
                if (state == Running)
                {
                    RunOne(stop, completion);
                    continue;
                }
                if (state == Abandoned)
                {
                    // Abandoned before the thread even began it (a starved thread): nobody will read its answer.
                    Volatile.Write(ref _state, Idle);
                    continue;
                }
                if (_stopping)
                {
                    return;
                }
                WakeOutcome waited = wait.Wait(-1, out _);
                if (waited is WakeOutcome.Failed or WakeOutcome.InvalidFd)
                {
                    throw new InvalidOperationException($"poll on {_thread.Name}'s own eventfd failed: {waited}, errno {wait.LastErrno}");
                }
                _ = jobEvent.Drain();
            }
        }
        finally
        {
            wait.Dispose();
            jobEvent.DangerousRelease();
            completion.DangerousRelease();
        }
    }

    private void RunOne(CancellationToken stop, EventFdHandle completion)
    {
        _startedTimestamp = Stopwatch.GetTimestamp();
        try
        {
            RunJob(stop);
        }
#pragma warning disable CA1031 // A job's exception is carried to the loop thread and rethrown there, not swallowed.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            _fault = ExceptionDispatchInfo.Capture(exception);
        }
        _finishedTimestamp = Stopwatch.GetTimestamp();
        Volatile.Write(ref _threadAllocatedBytes, GC.GetAllocatedBytesForCurrentThread());
        if (Interlocked.CompareExchange(ref _state, Finished, Running) == Running)
        {
            completion.Signal();
            return;
        }
        // Abandoned while it ran: the loop has answered without it, so the result and any fault are dropped.
        _fault = null;
        Volatile.Write(ref _state, Idle);
    }
}
