using System.Diagnostics;
using Reapd.Core.Daemon;
using Reapd.Linux.Kill;
using Reapd.Linux.Proc;
using Reapd.Linux.Sensors;

namespace Reapd.Daemon;

/// <summary>
/// The reaper thread, as Android's lmkd has one: process_mrelease and its retries run here, off the decision loop,
/// because the call can wait in the kernel for as long as an mm lock writer holds it up (a reader stuck on a hung
/// FUSE page with a writer queued), and sleeps between EAGAIN retries. One job at a time (the decision core has one
/// victim in flight); the answer is left in a slot and the loop is woken through <see cref="CompletionFd"/>. A job
/// that does not return is never waited for: the core reports it and settles by its timeout; if the core lets the
/// victim go meanwhile, the job disposes the victim's handles itself when it returns. A background thread, so a reap
/// stuck in the kernel never holds up the process's exit.
/// </summary>
internal sealed class Reaper : IDisposable
{
    private readonly object _gate = new();
    private readonly Thread _thread;
    private readonly EventFdHandle _completion;
    private readonly ProcessReader _reader = new();
    private Victim? _job;
    private bool _abandoned;
    private bool _hasAnswer;
    private ReapAnswer _answer;
    private volatile bool _stopping;

    private Reaper(EventFdHandle completion)
    {
        _completion = completion;
        _thread = new Thread(Run) { IsBackground = true, Name = "reapd-reaper" };
        _thread.Start();
    }

    public static Reaper? TryStart(out int errno)
    {
        EventFdHandle? completion = EventFdHandle.Create(out errno);
        return completion is null ? null : new Reaper(completion);
    }

    /// <summary>Readable when an answer waits in the slot; the loop polls it.</summary>
    public int CompletionFd => _completion.Fd;

    /// <summary>
    /// Hands a SIGKILLed victim to the thread. False while an earlier job is still inside the kernel. From the
    /// moment it is accepted until its answer is taken, only the reaper thread touches the victim's sharer list.
    /// </summary>
    public bool TrySubmit(Victim victim)
    {
        lock (_gate)
        {
            if (_job is not null || _stopping)
            {
                return false;
            }
            _job = victim;
            _abandoned = false;
            Monitor.Pulse(_gate);
            return true;
        }
    }

    public bool IsWorkingOn(Victim victim)
    {
        lock (_gate)
        {
            return ReferenceEquals(_job, victim);
        }
    }

    /// <summary>
    /// The core let the victim go. If its reap is still in the kernel, the job disposes it when it returns (true);
    /// otherwise the caller disposes it (false). One atomic step, so a job that returns meanwhile cannot leak it.
    /// </summary>
    public bool AbandonIfWorkingOn(Victim victim)
    {
        lock (_gate)
        {
            if (!ReferenceEquals(_job, victim))
            {
                return false;
            }
            _abandoned = true;
            return true;
        }
    }

    public bool TryTakeAnswer(out ReapAnswer answer)
    {
        lock (_gate)
        {
            _completion.Drain();
            answer = _answer;
            bool had = _hasAnswer;
            _hasAnswer = false;
            return had;
        }
    }

    private void Run()
    {
        while (true)
        {
            Victim victim;
            lock (_gate)
            {
                while (_job is null && !_stopping)
                {
                    Monitor.Wait(_gate);
                }
                if (_stopping)
                {
                    return;
                }
                victim = _job!;
            }
            ReapAnswer answer = ReapJob.Run(victim, _reader, () => _stopping);
            lock (_gate)
            {
                _job = null;
                if (_abandoned)
                {
                    victim.Dispose();
                    continue;
                }
                _answer = answer;
                _hasAnswer = true;
            }
            _completion.Signal();
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _stopping = true;
            Monitor.Pulse(_gate);
        }
        // Never joined: a reap may be stuck in the kernel; the background thread dies with the process.
        _completion.Dispose();
    }
}

/// <summary>
/// One reap after SIGKILL, as `reapd kill` does it too: process_mrelease through the victim's pidfd with the bounded
/// retries; if the victim itself is gone but sharers keep its mm, through a live sharer's pidfd; on EINVAL an
/// exhaustive search for sharers the cheap filter missed, SIGKILL, and one more reap.
/// </summary>
internal static class ReapJob
{
    public static ReapAnswer Run(Victim victim, ProcessReader reader, Func<bool> stopping)
    {
        long start = Stopwatch.GetTimestamp();
        var id = new VictimId(victim.Pid, victim.StartTimeTicks);
        ReapOutcome outcome;
        int attempts;
        if (victim.HasExited && FirstLiveSharer(victim) is Sharer sharer)
        {
            outcome = PidFdSyscalls.Mrelease(sharer.PidFd);
            attempts = 1;
        }
        else
        {
            outcome = victim.Reap();
            attempts = victim.ReapAttempts;
            if (outcome == ReapOutcome.NotDyingOrShared && !stopping())
            {
                victim.FindSharers(reader, out int more, exhaustive: true);
                if (more > 0)
                {
                    victim.KillSharers();
                    outcome = victim.Reap();
                    attempts += victim.ReapAttempts;
                }
            }
        }
        return new ReapAnswer(id, outcome, attempts, Stopwatch.GetElapsedTime(start).TotalMilliseconds, victim.HasExited);
    }

    private static Sharer? FirstLiveSharer(Victim victim)
    {
        foreach (Sharer sharer in victim.Sharers)
        {
            if (!PidFdSyscalls.WaitForExit(sharer.PidFd, 0))
            {
                return sharer;
            }
        }
        return null;
    }
}
