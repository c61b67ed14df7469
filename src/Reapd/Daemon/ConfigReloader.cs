using Reapd.Config;
using Reapd.Core.Policy;
using Reapd.Linux.Threading;

namespace Reapd.Daemon;

/// <summary>
/// Reads and parses the configuration file for a SIGHUP reload, and compiles its rules, on a thread of its own, so
/// that a file on a stuck file system (an NFS server gone, a FUSE daemon that never answers) or a slow rule compilation
/// never holds the decision loop: the loop hands a reload over with <see cref="TryStart"/> and goes on deciding and
/// killing with the settings in force; the thread parses the file, lays the command line's options over it and
/// compiles the rules, then finishes its job, which makes <see cref="SingleJobWorker.CompletionFd"/> readable in the
/// loop's wake set, and the loop swaps the settings in (<see cref="TryTake"/>) between two cycles. One reload at a
/// time (the <see cref="SingleJobWorker"/> slot): a SIGHUP while one is being read is served after it. A read that
/// never returns keeps the thread (and later reloads) waiting, not the loop, which reports it late. The thread is
/// started on the first reload.
/// </summary>
internal sealed class ConfigReloader : SingleJobWorker
{
    private bool _threadStarted;

    // The job, written by the loop before StartJob; the answer, written by the thread before the job finishes.
    private string? _configPath;
    private RunOptions? _running;
    private Answer _answer;

    public ConfigReloader()
        : base("reapd reload")
    {
    }

    /// <summary>
    /// What the thread read: the file's load, the options it makes with the command line's laid over it, and the rules
    /// of those options compiled (set exactly when <see cref="Next"/> is), for the actuator to take as they are.
    /// </summary>
    public readonly record struct Answer(ConfigLoad Load, RunOptions? Next, string? Error, RuleSet? Rules);

    /// <summary>A reload is being read (the thread has not answered yet).</summary>
    public bool IsReading => IsBusy;

    /// <summary>When the reload being read was handed over, on the monotonic clock (ms).</summary>
    public long StartedMs { get; private set; }

    /// <summary>The errno of the eventfd the kernel refused when the thread could not be started (0: none).</summary>
    public int StartErrno { get; private set; }

    /// <summary>
    /// Hands a reload over; false while the previous one is still being read or not taken yet, or when the thread
    /// cannot be started (<see cref="StartErrno"/>; it is tried again with the next reload).
    /// </summary>
    public bool TryStart(string? configPath, RunOptions running, long nowMs)
    {
        if (!_threadStarted)
        {
            if (!TryStartThread(out int errno))
            {
                StartErrno = errno;
                return false;
            }
            _threadStarted = true;
            StartErrno = 0;
        }
        if (Admission != WorkerSubmitOutcome.Accepted)
        {
            return false;
        }
        _configPath = configPath;
        _running = running;
        StartedMs = nowMs;
        StartJob();
        return true;
    }

    /// <summary>The answer of a finished reload, once; the reloader is free again after it.</summary>
    public bool TryTake(out Answer answer)
    {
        // Idle: nothing to drain (the loop asks every cycle once a reload has been made).
        if (IsIdle || !PollFinished())
        {
            answer = default;
            return false;
        }
        answer = _answer;
        _answer = default;
        ReleaseFinished();
        return true;
    }

    protected override void RunJob(CancellationToken stop)
    {
        ConfigLoad load = ConfigFile.Load(_configPath);
        RunOptions? next = null;
        RuleSet? rules = null;
        string? error = null;
        if (load.Ok)
        {
            // (Overrides.Apply keeps everything of the file's options but the command line's.)
            next = _running!.Overrides.Apply(load.Options!, load.File, out error);
            if (next is not null)
            {
                // Apply's validation compiled them once to check them; the loop takes this compilation as it is.
                rules = RuleSet.TryCompile(RuleSet.RulesOf(next.Config), out error);
                next = rules is null ? null : next;
            }
        }
        _answer = new Answer(load, next, error, rules);
    }
}
