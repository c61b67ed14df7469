namespace Reapd.Core.Daemon;

/// <summary>
/// The thrash condition as the sensing side measures it (docs/daemon.md, "The thrash condition"): over a short window
/// (1 s by default) the share of wall time the scope spent fully stalled on memory, from the exact cumulative PSI
/// "full total=" counter, and the rate at which the kernel faulted back pages it had just evicted (the refaults of
/// /proc/vmstat or a cgroup's memory.stat, anonymous and file). A working set that does not fit shows both at once:
/// the tasks wait on memory, and what they wait for is the memory they had a moment ago. Reclaim that merely makes
/// room (swap filling up, a page cache shrinking under a build) stalls without refaulting, or refaults without
/// stalling everyone; neither holds the condition. It holds from the first sample whose window reached both levels,
/// and <see cref="HeldMs"/> counts how long every sample since then did too.
///
/// The refault counter is read only while the scope stalls (the caller passes -1 when it did not read it), so a quiet
/// machine pays nothing for it; a window whose ends do not both have a count has no rate, and the condition waits for
/// one that has. Fixed-size ring: no allocation per sample.
/// </summary>
public sealed class ThrashTracker
{
    // Points at least 100 ms apart: a 1 s window needs finer steps than the 10 s stall windows' 250 ms, and 64 points
    // still span 6.4 s or more, several windows.
    private const long MinPointSpacingMs = 100;
    private readonly long[] _timesMs = new long[64];
    private readonly long[] _fullTotalsUs = new long[64];
    private readonly long[] _refaults = new long[64];
    private readonly long _windowMs;
    private readonly double _fullPercent;
    private readonly double _refaultsPerSecond;
    private int _count;
    private int _newest = -1;
    private long _heldSinceMs = -1;
    private bool _lastMoved;

    /// <param name="windowMs">The window both measures cover.</param>
    /// <param name="fullPercent">The full-stall share of the window at or above which the scope counts as stalled.</param>
    /// <param name="refaultsPerSecond">The refault rate (pages per second) at or above which the stall counts as thrash; 0 = the stall alone.</param>
    public ThrashTracker(long windowMs, double fullPercent, double refaultsPerSecond)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(windowMs);
        ArgumentOutOfRangeException.ThrowIfNegative(refaultsPerSecond);
        _windowMs = windowMs;
        _fullPercent = fullPercent;
        _refaultsPerSecond = refaultsPerSecond;
    }

    /// <summary>The full-stall share (percent) of the window ending at the last observation; -1 when no whole window is known.</summary>
    public double FullPercent { get; private set; } = -1;

    /// <summary>Refaults per second over the same window; -1 when unknown (no count at one end of it).</summary>
    public double RefaultsPerSecond { get; private set; } = -1;

    /// <summary>How long the condition has held (0 at the first sample that reached both levels); -1 when it does not hold.</summary>
    public long HeldMs { get; private set; } = -1;

    /// <summary>
    /// Whether the next reading needs the refault count: the full-stall counter moved since the newest point, or it
    /// had moved at the last reading (a stall's last window needs a count at its end too). A machine that never
    /// stalls never reads the refault file.
    /// </summary>
    public bool NeedsRefaults(long fullTotalUs) => _newest < 0 || fullTotalUs != _fullTotalsUs[_newest] || _lastMoved;

    /// <summary>Takes one reading: the cumulative full-stall counter (µs) and the cumulative refaults, or -1 when not read.</summary>
    public void Observe(long timeMs, long fullTotalUs, long refaults)
    {
        _lastMoved = _newest >= 0 && fullTotalUs != _fullTotalsUs[_newest];
        if (_newest < 0 || timeMs - _timesMs[_newest] >= MinPointSpacingMs)
        {
            _newest = (_newest + 1) % _timesMs.Length;
            _count = Math.Min(_count + 1, _timesMs.Length);
            _timesMs[_newest] = timeMs;
            _fullTotalsUs[_newest] = fullTotalUs;
            _refaults[_newest] = refaults;
        }
        Measure(timeMs, fullTotalUs, refaults);
        HeldMs = HeldDuration.Next(ref _heldSinceMs, timeMs, FullPercent >= 0 && FullPercent >= _fullPercent && RefaultsPerSecond >= 0 && RefaultsPerSecond >= _refaultsPerSecond);
    }

    /// <summary>Forgets every point: after a settled victim the condition must be earned anew.</summary>
    public void Restart()
    {
        _count = 0;
        _newest = -1;
        _heldSinceMs = -1;
        _lastMoved = false;
        FullPercent = -1;
        RefaultsPerSecond = -1;
        HeldMs = -1;
    }

    // The window starts at the newest point at least a window old (so it spans a window, or up to one sample interval
    // more). The stall share covers it; so does the refault rate when that point has a count. The counts start when
    // the stall does (the caller reads them only then), so at the onset of a thrash the window's start usually has
    // none: the rate then runs from the oldest count inside the window, once that is a quarter of a window old, so
    // it is known within a fraction of a window instead of a whole window later.
    private void Measure(long timeMs, long fullTotalUs, long refaults)
    {
        FullPercent = -1;
        RefaultsPerSecond = -1;
        int countedInside = -1;
        for (int i = 0; i < _count; i++)
        {
            int index = (_newest - i + _timesMs.Length) % _timesMs.Length;
            long ageMs = timeMs - _timesMs[index];
            if (ageMs < _windowMs)
            {
                if (_refaults[index] >= 0 && ageMs * 4 >= _windowMs)
                {
                    countedInside = index;
                }
                continue;
            }
            FullPercent = Math.Clamp((fullTotalUs - _fullTotalsUs[index]) / (ageMs * 10.0), 0, 100);
            if (_refaults[index] >= 0)
            {
                countedInside = index;
            }
            break;
        }
        if (refaults >= 0 && countedInside >= 0)
        {
            // A refault counter never goes back; a smaller count is another counter (a cgroup made anew): no refaults.
            RefaultsPerSecond = Math.Max(0, refaults - _refaults[countedInside]) * 1000.0 / (timeMs - _timesMs[countedInside]);
        }
    }
}
