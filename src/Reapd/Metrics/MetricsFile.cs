using Reapd.Linux.Sensors;

namespace Reapd.Metrics;

/// <summary>
/// Keeps a file for node_exporter's textfile collector up to date, on a thread of its own that sleeps on the
/// <see cref="DaemonMetrics.Changed"/> eventfd: an idle daemon never wakes it and never rewrites the file. After a
/// change it writes at once if the last write is old enough, else when it is: at most one write per
/// <see cref="CounterIntervalMs"/> after a counter moved (a kill, a reap, a settle), and one per
/// <see cref="GaugeIntervalMs"/> when only a gauge moved by more than its step. Changes in between are coalesced into
/// the one write. Each write is atomic for a reader: the exposition goes to PATH.tmp in the same directory (which the
/// collector ignores: it reads only *.prom), then rename(2) replaces PATH. No fsync: the file is rewritten at every
/// start and its durability across a power loss is worth nothing, while an fsync could hold the thread for seconds on
/// a disk under the very pressure reapd answers. Owns its thread and the eventfd.
/// </summary>
internal sealed class MetricsFile : IDisposable
{
    public const int CounterIntervalMs = 1000;
    public const int GaugeIntervalMs = 10_000;

    /// <summary>How long <see cref="Dispose"/> waits for the final write.</summary>
    public const int StopTimeoutMs = 1000;

    /// <summary>The metrics threads' nice value: below everything reapd does to answer memory pressure.</summary>
    public const int MetricsThreadNice = 10;

    private readonly DaemonMetrics _metrics;
    private readonly MetricsRenderer _renderer;
    private readonly EventFdHandle _changed;
    private readonly EventFdHandle _stop;
    private readonly Thread _thread;
    private readonly string _tempPath;
    private long _writes;
    private long _failures;
    private int _failureStreaks;
    private long _writtenCounterChanges;
    private long _lastWriteMs;
    private volatile string _lastError = "";

    private MetricsFile(DaemonMetrics metrics, string path, EventFdHandle changed, EventFdHandle stop)
    {
        _metrics = metrics;
        _renderer = new MetricsRenderer(metrics);
        Path = path;
        _tempPath = path + ".tmp";
        _changed = changed;
        _stop = stop;
        _thread = new Thread(Run, maxStackSize: 256 * 1024) { IsBackground = true, Name = "reapd metrics file" };
    }

    public string Path { get; }

    /// <summary>Writes done (any thread).</summary>
    public long Writes => Volatile.Read(ref _writes);

    /// <summary>How many times writing started failing after working (or from the start); the loop warns once for each.</summary>
    public int FailureStreaks => Volatile.Read(ref _failureStreaks);

    public string LastError => _lastError;

    /// <summary>
    /// Writes the file once now, on the caller's thread (so a path reapd cannot write is one line at the start, and
    /// nothing else is started). Null with the reason when that write fails. <see cref="Start"/> starts the thread.
    /// </summary>
    public static MetricsFile? TryCreate(DaemonMetrics metrics, string path, out string? error)
    {
        EventFdHandle? changed = EventFdHandle.Create(out int errno);
        EventFdHandle? stop = changed is null ? null : EventFdHandle.Create(out errno);
        if (changed is null || stop is null)
        {
            changed?.Dispose();
            error = $"cannot create an eventfd for the metrics file (errno {errno})";
            return null;
        }
        var file = new MetricsFile(metrics, path, changed, stop);
        if (!file.Write())
        {
            error = $"cannot write --metrics-file {path}: {file.LastError}";
            changed.Dispose();
            stop.Dispose();
            return null;
        }
        error = null;
        return file;
    }

    /// <summary>From now on changes wake the thread.</summary>
    public void Start()
    {
        _metrics.Changed = _changed;
        _thread.Start();
    }

    private void Run()
    {
        _ = Linux.Sensors.SelfProtection.SetCallingThreadNice(MetricsThreadNice);
        var wait = new WakeSet(2);
        int changedSlot = wait.Add(_changed.Fd, WakeSet.Readable);
        int stopSlot = wait.Add(_stop.Fd, WakeSet.Readable);
        bool pending = false;
        try
        {
            // The state after the warm-up (the file written before it has no sample yet).
            _ = Write();
            while (true)
            {
                int timeoutMs = -1;
                if (pending)
                {
                    // A counter change is due after the short interval, a gauge move only after the long one.
                    int intervalMs = _metrics.CounterChanges != _writtenCounterChanges ? CounterIntervalMs : GaugeIntervalMs;
                    timeoutMs = (int)Math.Clamp(_lastWriteMs + intervalMs - Environment.TickCount64, 0, intervalMs);
                    if (timeoutMs == 0)
                    {
                        _ = Write();
                        pending = false;
                        continue;
                    }
                }
                _ = wait.Wait(timeoutMs, out _);
                if ((wait.Fired(stopSlot) & WakeSet.Readable) != 0)
                {
                    // The final state (the stop's counters) is in the file when reapd has stopped.
                    _ = Write();
                    return;
                }
                if ((wait.Fired(changedSlot) & WakeSet.Readable) != 0)
                {
                    _ = _changed.Drain();
                    _metrics.ChangeTaken();
                    pending = true;
                }
            }
        }
        finally
        {
            wait.Dispose();
        }
    }

    /// <summary>Renders and replaces the file; false with <see cref="LastError"/> when the file system refused.</summary>
    private bool Write()
    {
        _lastWriteMs = Environment.TickCount64;
        ReadOnlySpan<byte> text = _renderer.Render(_writes + 1);
        try
        {
            // The temporary name is predictable and the directory is often writable by node_exporter's user: remove
            // whatever is there (unlink removes a symlink itself, never its target), then create with O_CREAT|O_EXCL
            // (FileMode.CreateNew), which fails on any existing name, a symlink put back meanwhile included. So root
            // never writes through a link someone else planted.
            File.Delete(_tempPath);
            using (var temp = new FileStream(_tempPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 0))
            {
                // Readable by node_exporter's own user whatever reapd's umask (the shipped unit has UMask=0077): the
                // numbers are no secret, and a file the collector cannot read is no metric at all.
                if (OperatingSystem.IsLinux())
                {
                    File.SetUnixFileMode(temp.SafeFileHandle, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
                }
                temp.Write(text);
            }
            File.Move(_tempPath, Path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            _lastError = e.Message;
            if (_failures++ == 0)
            {
                _ = Interlocked.Increment(ref _failureStreaks);
            }
            return false;
        }
        _writtenCounterChanges = _renderer.CounterChanges;
        _failures = 0;
        Volatile.Write(ref _writes, _writes + 1);
        return true;
    }

    public void Dispose()
    {
        _stop.Signal();
        if ((_thread.ThreadState & System.Threading.ThreadState.Unstarted) != 0)
        {
            _changed.Dispose();
            _stop.Dispose();
            return;
        }
        if (!_thread.Join(StopTimeoutMs))
        {
            // Still inside a write on a stuck file system: a background thread, it does not hold up the exit.
            return;
        }
        _metrics.Changed = null;
        _changed.Dispose();
        _stop.Dispose();
    }
}
