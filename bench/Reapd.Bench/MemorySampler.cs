using System.Buffers.Text;
using Microsoft.Win32.SafeHandles;

namespace Reapd.Bench;

/// <summary>
/// Samples available memory every few milliseconds on a dedicated thread, with the files kept open and read into
/// one buffer, so the runner sees the moment the kill line is crossed within a few ms. It also reads the RSS of the
/// processes it is told to watch, to know each victim's size just before its kill and when that memory was gone.
/// </summary>
internal sealed class MemorySampler : IDisposable
{
    private readonly SafeFileHandle _meminfo;
    private readonly SafeFileHandle? _scopeUsage;
    private readonly long _scopeLimitKiB;
    private readonly SafeFileHandle _workloadUsage;
    private readonly SafeFileHandle? _pressure;
    private readonly byte[] _buffer = new byte[8192];
    private readonly List<MemorySample> _samples = new(1 << 16);
    private readonly Dictionary<int, long> _lastRssKiB = [];
    private readonly Dictionary<int, double> _rssGoneS = [];
    private readonly Dictionary<int, double> _rssGoneSampleS = [];
    private readonly Dictionary<int, long> _maxRssKiB = [];
    private readonly HashSet<int> _watched = [];
    private readonly Lock _lock = new();
    private readonly Thread _thread;
    private volatile bool _stop;

    public int IntervalMs { get; }

    /// <param name="workloadCgroup">the cgroup the workload runs in</param>
    /// <param name="scopeIsCgroup">quick mode: available = the cgroup's limit − its usage</param>
    public MemorySampler(WorkloadCgroup workloadCgroup, bool scopeIsCgroup, int intervalMs)
    {
        IntervalMs = intervalMs;
        _meminfo = File.OpenHandle("/proc/meminfo");
        _workloadUsage = File.OpenHandle(workloadCgroup.UsageFile);
        // PSI may be off (psi=0); the stall columns are then empty.
        _pressure = File.Exists("/proc/pressure/memory") ? File.OpenHandle("/proc/pressure/memory") : null;
        if (scopeIsCgroup)
        {
            _scopeUsage = _workloadUsage;
            _scopeLimitKiB = workloadCgroup.LimitBytes / 1024;
        }
        _thread = new Thread(Loop) { IsBackground = true, Name = "sampler", Priority = ThreadPriority.Highest };
        _thread.Start();
    }

    public void Watch(int pid)
    {
        lock (_lock)
        {
            _watched.Add(pid);
        }
    }

    /// <summary>The last RSS read for a watched pid while it still held its memory (KiB), or 0: a reaped process that
    /// has not exited yet keeps a few file pages, which are not its size before the kill.</summary>
    public long LastRssKiB(int pid)
    {
        lock (_lock)
        {
            return _lastRssKiB.TryGetValue(pid, out long v) ? v : 0;
        }
    }

    /// <summary>When a watched pid's resident memory was gone: its statm RSS below 20 % of the most it had (a reaped
    /// mm keeps its few file pages until exit), or the process gone; NaN if not yet. A thread-group leader that exited
    /// while another thread still holds the mm also reads 0: use the cgroup usage for such victims.</summary>
    public double RssGoneS(int pid)
    {
        lock (_lock)
        {
            return _rssGoneS.TryGetValue(pid, out double t) ? t : double.NaN;
        }
    }

    /// <summary>The time of the sample whose turn first read a watched pid's resident memory gone (<see cref="RssGoneS"/>
    /// is the end of that read, after the sample's time); NaN if not yet. That sample's <see cref="MemorySample.WatchedRssKiB"/>
    /// no longer counts the pid.</summary>
    public double RssGoneSampleS(int pid)
    {
        lock (_lock)
        {
            return _rssGoneSampleS.TryGetValue(pid, out double t) ? t : double.NaN;
        }
    }

    public MemorySample[] Samples
    {
        get
        {
            lock (_lock)
            {
                return [.. _samples];
            }
        }
    }

    public MemorySample Latest
    {
        get
        {
            lock (_lock)
            {
                return _samples.Count > 0 ? _samples[^1] : default;
            }
        }
    }

    private void Loop()
    {
        int[] watched = [];
        while (!_stop)
        {
            long workloadKiB = ReadNumber(_workloadUsage) / 1024;
            long available = _scopeUsage != null ? _scopeLimitKiB - workloadKiB : ReadMemAvailableKiB();
            var (someUs, fullUs) = ReadPressure();
            // Stamped after the reads: under a kernel OOM thrash a read can wait hundreds of ms to be served.
            double t = Clock.NowS;
            long watchedRssKiB = 0;
            // Every watched pid is read every sample (a statm read costs microseconds), so a victim's memory going
            // away is timed to the sample, and a kill that came before it is told apart.
            {
                lock (_lock)
                {
                    watched = [.. _watched];
                }
                foreach (int pid in watched)
                {
                    long rss = ProcFiles.StatmRssKiB(pid);
                    double readS = Clock.NowS;
                    watchedRssKiB += Math.Max(0, rss);
                    lock (_lock)
                    {
                        long max = _maxRssKiB.GetValueOrDefault(pid);
                        if (rss > max)
                        {
                            _maxRssKiB[pid] = max = rss;
                        }
                        if (rss > 0 && rss >= max / 5)
                        {
                            _lastRssKiB[pid] = rss;
                        }
                        if (max > 0 && rss < max / 5 && !_rssGoneS.ContainsKey(pid))
                        {
                            _rssGoneS[pid] = readS;
                            _rssGoneSampleS[pid] = t;
                        }
                        else if (rss >= max / 5 && max > 0)
                        {
                            // A read that failed for a moment (rss -1) is no exit: forget a mark the process outlived.
                            _rssGoneS.Remove(pid);
                            _rssGoneSampleS.Remove(pid);
                        }
                    }
                }
            }
            lock (_lock)
            {
                _samples.Add(new MemorySample(t, available, workloadKiB, someUs, fullUs, watchedRssKiB));
            }
            Thread.Sleep(IntervalMs);
        }
    }

    private long ReadMemAvailableKiB()
    {
        int n = RandomAccess.Read(_meminfo, _buffer, 0);
        ReadOnlySpan<byte> text = _buffer.AsSpan(0, n);
        int at = text.IndexOf("MemAvailable:"u8);
        if (at < 0)
        {
            return -1;
        }
        text = text[(at + 13)..].TrimStart((byte)' ');
        return Utf8Parser.TryParse(text, out long kib, out _) ? kib : -1;
    }

    /// <summary>The "total=" of the some and full lines of /proc/pressure/memory, µs, without allocating.</summary>
    private (long SomeUs, long FullUs) ReadPressure()
    {
        if (_pressure is null)
        {
            return (-1, -1);
        }
        int n = RandomAccess.Read(_pressure, _buffer, 0);
        ReadOnlySpan<byte> text = _buffer.AsSpan(0, n);
        long some = -1, full = -1;
        for (int i = 0; i < 2; i++)
        {
            int at = text.IndexOf("total="u8);
            if (at < 0)
            {
                break;
            }
            bool isFull = text.StartsWith("full"u8);
            text = text[(at + 6)..];
            if (Utf8Parser.TryParse(text, out long us, out int used))
            {
                (isFull ? ref full : ref some) = us;
                text = text[used..].TrimStart((byte)'\n');
            }
        }
        return (some, full);
    }

    private long ReadNumber(SafeFileHandle handle)
    {
        int n = RandomAccess.Read(handle, _buffer, 0);
        return Utf8Parser.TryParse(_buffer.AsSpan(0, n), out long value, out _) ? value : -1;
    }

    public void Dispose()
    {
        _stop = true;
        _thread.Join();
        _meminfo.Dispose();
        _workloadUsage.Dispose();
        _pressure?.Dispose();
    }
}
