using Reapd.Config;
using Reapd.Core.Policy;
using Reapd.Linux.Sensors;

namespace Reapd.Daemon;

/// <summary>
/// Reads and parses the configuration file for a SIGHUP reload on a thread of its own, so that a file on a stuck file
/// system (an NFS server gone, a FUSE daemon that never answers) or a slow rule compilation never holds the decision
/// loop: the loop hands a reload over with <see cref="TryStart"/> and goes on deciding and killing with the settings in
/// force; the thread parses the file and lays the command line's options over it, then wakes the loop through
/// <paramref name="wakeLoop"/>'s eventfd, and the loop swaps the settings in (<see cref="TryTake"/>) between two cycles.
/// One reload at a time: a SIGHUP while one is being read is served after it. A read that never returns keeps the
/// thread (and later reloads) waiting, not the loop, which reports it late. The thread is started on the first reload.
/// </summary>
internal sealed class ConfigReloader : IDisposable
{
    private const int Idle = 0;
    private const int Reading = 1;
    private const int Done = 2;

    private readonly EventFdHandle _wakeLoop;
    private readonly AutoResetEvent _job = new(false);
    private Thread? _thread;
    private volatile bool _stopping;
    private int _state;

    // The job, written by the loop before it is handed over; the answer, written by the thread before Done.
    private string? _configPath;
    private RunOptions? _running;
    private Answer _answer;

    public ConfigReloader(EventFdHandle wakeLoop)
    {
        _wakeLoop = wakeLoop;
    }

    /// <summary>
    /// What the thread read: the file's load, the options it makes with the command line's laid over it, and the rules
    /// of those options compiled (set exactly when <see cref="Next"/> is), for the actuator to take as they are.
    /// </summary>
    public readonly record struct Answer(ConfigLoad Load, RunOptions? Next, string? Error, RuleSet? Rules);

    /// <summary>A reload is being read (the thread has not answered yet).</summary>
    public bool IsReading => Volatile.Read(ref _state) == Reading;

    /// <summary>When the reload being read was handed over, on the monotonic clock (ms).</summary>
    public long StartedMs { get; private set; }

    /// <summary>Hands a reload over; false while the previous one is still being read or not taken yet.</summary>
    public bool TryStart(string? configPath, RunOptions running, long nowMs)
    {
        if (Volatile.Read(ref _state) != Idle)
        {
            return false;
        }
        _configPath = configPath;
        _running = running;
        StartedMs = nowMs;
        Volatile.Write(ref _state, Reading);
        if (_thread is null)
        {
            _thread = new Thread(Run, maxStackSize: 256 * 1024) { IsBackground = true, Name = "reapd reload" };
            // The thread holds a reference on the loop's eventfd: it is never closed under a read that returns late.
            bool added = false;
            _wakeLoop.DangerousAddRef(ref added);
            _thread.Start();
        }
        _ = _job.Set();
        return true;
    }

    /// <summary>The answer of a finished reload, once; the reloader is free again after it.</summary>
    public bool TryTake(out Answer answer)
    {
        if (Volatile.Read(ref _state) != Done)
        {
            answer = default;
            return false;
        }
        answer = _answer;
        _answer = default;
        Volatile.Write(ref _state, Idle);
        return true;
    }

    public void Dispose()
    {
        _stopping = true;
        _ = _job.Set();
        // A thread inside a read that never returns is a background thread: it does not hold the exit. The event is
        // left to the finalizer for the same reason (the thread may still wait on it).
    }

    private void Run()
    {
        try
        {
            Serve();
        }
        finally
        {
            _wakeLoop.DangerousRelease();
        }
    }

    private void Serve()
    {
        while (true)
        {
            _ = _job.WaitOne();
            if (_stopping)
            {
                return;
            }
            if (Volatile.Read(ref _state) != Reading)
            {
                continue;
            }
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
            Volatile.Write(ref _state, Done);
            _wakeLoop.Signal();
        }
    }
}
