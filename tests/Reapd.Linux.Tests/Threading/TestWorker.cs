using Reapd.Linux.Sensors;
using Reapd.Linux.Threading;

namespace Reapd.Linux.Tests.Threading;

/// <summary>
/// The smallest real subclass of <see cref="SingleJobWorker"/>, the way ReaperThread and ScannerThread use it: the job
/// is fields written before <see cref="SingleJobWorker.StartJob"/>, the answer fields read after the completion. A job
/// doubles its input, or blocks on a gate the test opens (optionally also ending on the stop token), or throws. It
/// polls its own completion eventfd in a <see cref="WakeSet"/>, as the daemon's loop does.
/// </summary>
internal sealed class TestWorker : SingleJobWorker
{
    public const string ThreadName = "reapd test worker";
    public const int WaitMs = 10_000;

    private readonly WakeSet _wake = new(1);
    private int _input;
    private ManualResetEventSlim? _gate;
    private bool _honourStop;
    private bool _fail;
    private int _answer;

    private TestWorker()
        : base(ThreadName)
    {
    }

    /// <summary>Set when a blocking job has begun (the thread is inside RunJob).</summary>
    public ManualResetEventSlim Started { get; } = new();

    /// <summary>Jobs the thread has run, counted on the thread.</summary>
    public int Runs { get; private set; }

    /// <summary>The managed thread id the last job ran on.</summary>
    public int RanOnThreadId { get; private set; }

    /// <summary>The name of the thread the last blocking job ran on.</summary>
    public string? RanOnThreadName { get; private set; }

    /// <summary>Whether the last job saw its stop token cancelled when it returned.</summary>
    public bool SawStop { get; private set; }

    /// <summary>The job's own view, from inside it: whether the loop had stopped waiting for it when its gate opened.</summary>
    public bool AbandonedSeenByJob { get; private set; }

    public static TestWorker Start() =>
        TryStart(out int errno) ?? throw new InvalidOperationException($"eventfd failed: errno {errno}");

    /// <summary>Null, with the errno, where the kernel refuses an eventfd.</summary>
    public static TestWorker? TryStart(out int errno)
    {
        var worker = new TestWorker();
        if (!worker.TryStartThread(out errno))
        {
            worker.Dispose();
            return null;
        }
        _ = worker._wake.Add(worker.CompletionFd, WakeSet.Readable);
        return worker;
    }

    public WorkerSubmitOutcome Submit(int input, ManualResetEventSlim? gate = null, bool honourStop = false, bool fail = false)
    {
        WorkerSubmitOutcome admission = Admission;
        if (admission != WorkerSubmitOutcome.Accepted)
        {
            return admission;
        }
        _input = input;
        _gate = gate;
        _honourStop = honourStop;
        _fail = fail;
        Started.Reset();
        StartJob();
        return WorkerSubmitOutcome.Accepted;
    }

    /// <summary>Hands over a job that blocks on <paramref name="gate"/>; true once the thread is inside it.</summary>
    public bool SubmitBlocked(int input, ManualResetEventSlim gate, bool honourStop = false, bool fail = false) =>
        Submit(input, gate, honourStop, fail) == WorkerSubmitOutcome.Accepted && Started.Wait(WaitMs, CancellationToken.None);

    /// <summary>Polls the completion eventfd as the loop does: Ready once a job's answer is there (0: just look).</summary>
    public WakeOutcome WaitForCompletion(int timeoutMs = WaitMs) => _wake.Wait(timeoutMs, out _);

    public bool TryTake(out int answer)
    {
        if (!PollFinished())
        {
            answer = 0;
            return false;
        }
        answer = _answer;
        ReleaseFinished();
        return true;
    }

    public bool Abandon() => TryAbandon();

    protected override void RunJob(CancellationToken stop)
    {
        Runs++;
        RanOnThreadId = Environment.CurrentManagedThreadId;
        _answer = 0;
        if (_gate is not null)
        {
            RanOnThreadName = Thread.CurrentThread.Name;
            Started.Set();
            if (_honourStop)
            {
                _ = WaitHandle.WaitAny([_gate.WaitHandle, stop.WaitHandle]);
            }
            else
            {
                _gate.Wait(CancellationToken.None);
            }
            AbandonedSeenByJob = IsAbandoned;
        }
        SawStop = stop.IsCancellationRequested;
        if (_fail)
        {
            throw new InvalidOperationException("a broken invariant inside the job");
        }
        _answer = _input * 2;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing)
        {
            _wake.Dispose();
            Started.Dispose();
        }
    }
}
