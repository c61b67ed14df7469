using Reapd.Linux.Threading;

namespace Reapd.Linux.Tests.Threading;

/// <summary>
/// The smallest real subclass of <see cref="SingleJobWorker"/>, the way ReaperThread and ScannerThread use it: the job
/// is fields written before <see cref="SingleJobWorker.StartJob"/>, the answer fields read after the completion. A job
/// doubles its input, or blocks on a gate the test opens (optionally also ending on the stop token), or throws.
/// </summary>
internal sealed class TestWorker : SingleJobWorker
{
    public const string ThreadName = "reapd test worker";

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

    public static TestWorker Start()
    {
        var worker = new TestWorker();
        return worker.TryStartThread(out int errno) ? worker : throw new InvalidOperationException($"eventfd failed: errno {errno}");
    }

    /// <summary>Null, with the errno, where the kernel refuses an eventfd.</summary>
    public static TestWorker? TryStart(out int errno)
    {
        var worker = new TestWorker();
        return worker.TryStartThread(out errno) ? worker : null;
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

    /// <summary>The job's own view, from inside it: whether the loop stopped waiting.</summary>
    public bool AbandonedSeenByJob { get; private set; }

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
}
