using System.Diagnostics;
using Reapd.Core.Selection;
using Reapd.Linux.Sensors;

namespace Reapd.Daemon;

/// <summary>
/// The loop's side of scanning: hands each scan to a free <see cref="ScannerThread"/> and waits for its answer on the
/// thread's eventfd, at most until the scan's deadline (DaemonConfig.ScanDeadlineMs). A stop (or reload) request waits
/// for the answer too — at most that deadline — since the stop eventfd also carries reloads and cannot tell them apart.
/// A thread that has not answered by then is inside a read that blocks in the kernel, or slow: the loop takes what it
/// has read (<see cref="ScannerThread.TakePartial"/>) and goes on. Such a thread stays busy until its read returns, so
/// the next scan goes to another one, started on demand, at most <see cref="MaxThreads"/>; the processes the busy
/// ones are stuck in are skipped at once by the others. With every thread stuck a scan answers at once, empty
/// (<see cref="ScanEnd.NoFreeScanner"/>). Loop thread only.
/// </summary>
internal sealed class ScanService : IDisposable
{
    /// <summary>Each thread stuck at once is one process whose mm is held; four of them means something larger is wrong.</summary>
    public const int MaxThreads = 4;

    private readonly ScannerThread?[] _threads = new ScannerThread?[MaxThreads];
    private readonly int[] _stuckPids = new int[MaxThreads];
    private readonly string? _cgroupDirectory;
    private readonly int[]? _onlyPids;
    private readonly long _deadlineTicks;
    private readonly WakeSet _wait = new(1);
    private readonly int _completionSlot;
    private ScannerThread? _answered;

    /// <param name="onlyPids">When set, the threads scan these processes instead of the scope (the warm-up kill's child).</param>
    public ScanService(string? cgroupDirectory, int deadlineMs, int[]? onlyPids = null)
    {
        _cgroupDirectory = cgroupDirectory;
        _onlyPids = onlyPids;
        _deadlineTicks = deadlineMs * Stopwatch.Frequency / 1000;
        _completionSlot = _wait.Add(-1, WakeSet.Readable);
    }

    /// <summary>Scanner threads started so far.</summary>
    public int ThreadCount { get; private set; }

    /// <summary>The errno of the last scanner thread that could not be started (0: none failed).</summary>
    public int StartErrno { get; private set; }

    /// <summary>Starts the first scanner thread (it inherits the caller's priority: call after raising it).</summary>
    public bool Start() => Thread(0) is not null;

    /// <summary>
    /// Scans the scope: the ranking into <paramref name="ranked"/> (grown when too small; sorted, best first), and how
    /// the scan ended into <paramref name="answer"/>. Waits at most the deadline.
    /// </summary>
    public void Scan(in RankingScope scope, ref Candidate[] ranked, ref ScanAnswer answer)
    {
        long start = Stopwatch.GetTimestamp();
        ScannerThread? free = null;
        int stuck = 0;
        for (int i = 0; i < MaxThreads; i++)
        {
            ScannerThread? thread = _threads[i];
            if (thread is not null && !thread.IsIdle)
            {
                int pid = thread.CurrentPid;
                if (pid != 0)
                {
                    _stuckPids[stuck++] = pid;
                }
            }
            else if (free is null)
            {
                free = thread ?? Thread(i);
            }
        }
        _answered = free;
        if (free is null)
        {
            answer = default;
            answer.End = ScanEnd.NoFreeScanner;
            answer.StuckPid = stuck > 0 ? _stuckPids[0] : 0;
            answer.ElapsedMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            return;
        }
        free.Submit(scope, start + _deadlineTicks, _stuckPids.AsSpan(0, stuck));
        _wait.Set(_completionSlot, free.CompletionFd);
        while (true)
        {
            if (free.IsFinished)
            {
                free.TakeFinished(ref ranked, ref answer);
                break;
            }
            long remainingTicks = start + _deadlineTicks - Stopwatch.GetTimestamp();
            if (remainingTicks <= 0)
            {
                free.TakePartial(ref ranked, ref answer);
                break;
            }
            int remainingMs = (int)((remainingTicks * 1000 + Stopwatch.Frequency - 1) / Stopwatch.Frequency);
            _ = _wait.Wait(remainingMs, out _);
        }
        _wait.Set(_completionSlot, -1);
        answer.ElapsedMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
    }

    /// <summary>The command line read for entry <paramref name="index"/> of the last answer (empty when not read).</summary>
    public ReadOnlySpan<byte> Cmdline(int index, in ScanAnswer answer) =>
        _answered is not null && index < answer.CmdlinesRead ? _answered.Cmdline(index) : default;

    private ScannerThread? Thread(int index)
    {
        if (_threads[index] is ScannerThread existing)
        {
            return existing;
        }
        ScannerThread? started = ScannerThread.TryStart(_cgroupDirectory, _onlyPids, index, out int errno);
        if (started is null)
        {
            StartErrno = errno;
            return null;
        }
        _threads[index] = started;
        ThreadCount++;
        return started;
    }

    public void Dispose()
    {
        foreach (ScannerThread? thread in _threads)
        {
            thread?.Dispose();
        }
        _wait.Dispose();
    }

    /// <summary>
    /// After <see cref="Dispose"/>: waits at most <paramref name="timeoutMs"/> for each stopped thread to end, whether
    /// all did. For the warm-up's throwaway service only (the loop never joins): a thread still alive keeps its
    /// candidate arrays and buffers (some 330 KiB) reachable through the collection that follows, and so resident.
    /// </summary>
    public bool JoinStopped(int timeoutMs)
    {
        bool all = true;
        foreach (ScannerThread? thread in _threads)
        {
            all &= thread is null || thread.Join(timeoutMs);
        }
        return all;
    }
}
