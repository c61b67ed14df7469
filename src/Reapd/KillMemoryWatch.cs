using System.Diagnostics;
using Reapd.Linux.Proc;

namespace Reapd;

/// <summary>
/// For `reapd kill`: samples the victim's memory cgroup usage about every millisecond on its own thread while the
/// kill protocol runs, and remembers when usage first fell to the target (the victim's memory back). Memory-cgroup
/// usage is the reliable figure here: MemAvailable lags by seconds on this VM (docs/kernel.md D.2).
/// </summary>
internal sealed class KillMemoryWatch : IDisposable
{
    private readonly CgroupUsageReader _usage;
    private readonly long _targetBytes;
    private readonly Thread _thread;
    private volatile bool _stop;

    private KillMemoryWatch(CgroupUsageReader usage, long beforeBytes, long targetBytes)
    {
        _usage = usage;
        BeforeBytes = beforeBytes;
        LowestBytes = beforeBytes;
        _targetBytes = targetBytes;
        _thread = new Thread(Sample) { IsBackground = true, Name = "reapd kill memory watch" };
        _thread.Start();
    }

    public string Path => _usage.Path;

    public long BeforeBytes { get; }

    /// <summary>The lowest usage seen (valid after Stop).</summary>
    public long LowestBytes { get; private set; }

    /// <summary>Stopwatch timestamp of the first sample at or below the target, 0 if none.</summary>
    public long ReachedTargetTimestamp { get; private set; }

    /// <summary>
    /// Starts watching the cgroup directory; the target is the usage before minus 90% of <paramref name="expectedFreedBytes"/>.
    /// Null when the usage file cannot be read.
    /// </summary>
    public static KillMemoryWatch? TryStart(string cgroupDirectory, long expectedFreedBytes)
    {
        CgroupUsageReader? usage = CgroupUsageReader.TryOpen(cgroupDirectory, out _);
        if (usage is null)
        {
            return null;
        }
        if (usage.TryReadBytes(out long before) != ProcReadOutcome.Ok)
        {
            usage.Dispose();
            return null;
        }
        return new KillMemoryWatch(usage, before, before - (expectedFreedBytes * 9 / 10));
    }

    /// <summary>Keeps sampling until the target is reached or <paramref name="timeoutMs"/> passes, then stops.</summary>
    public void StopAfterTargetOr(int timeoutMs)
    {
        var deadline = Stopwatch.StartNew();
        while (ReachedTargetTimestamp == 0 && deadline.ElapsedMilliseconds < timeoutMs)
        {
            Thread.Sleep(1);
        }
        _stop = true;
        _thread.Join();
        // One last reading, so "freed" includes what came back after the target.
        if (_usage.TryReadBytes(out long now) == ProcReadOutcome.Ok && now < LowestBytes)
        {
            LowestBytes = now;
        }
    }

    private void Sample()
    {
        while (!_stop)
        {
            if (_usage.TryReadBytes(out long now) == ProcReadOutcome.Ok)
            {
                long at = Stopwatch.GetTimestamp();
                if (now < LowestBytes)
                {
                    LowestBytes = now;
                }
                if (ReachedTargetTimestamp == 0 && now <= _targetBytes)
                {
                    ReachedTargetTimestamp = at;
                }
            }
            Thread.Sleep(1);
        }
    }

    public void Dispose()
    {
        _stop = true;
        if (_thread.IsAlive)
        {
            _thread.Join();
        }
        _usage.Dispose();
    }
}
