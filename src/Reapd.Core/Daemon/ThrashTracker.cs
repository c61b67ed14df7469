namespace Reapd.Core.Daemon;

/// <summary>
/// The thrash condition as the sensing side measures it (docs/daemon.md, "The thrash condition"): over a short window
/// (1 s by default) the share of wall time the scope spent fully stalled on memory, from the exact cumulative PSI
/// "full total=" counter; the rate at which the kernel swapped back anonymous pages it had just evicted
/// (workingset_refault_anon of /proc/vmstat or a cgroup's memory.stat); and the swap-ins as a share of the swap-outs
/// (pswpin, pswpout). A working set that does not fit shows all three: the tasks wait on memory, what they wait for is
/// memory they had a moment ago, and the same pages go out and come back in. A push-out of cold pages to make room
/// (a hog filling zram) stalls as hard but swaps out tens to hundreds of pages for each one that comes back, and
/// refaults page cache rather than anonymous memory; reclaim of page cache under a build refaults file pages without
/// stalling everyone. Neither holds the condition. It holds from the first sample whose window reached every level,
/// and <see cref="HeldMs"/> counts how long every sample since then did too.
///
/// The counters are read only while the scope stalls (the caller passes -1 when it did not read them), so a quiet
/// machine pays nothing for them; a window whose ends do not both have a count has no rate, and the condition waits for
/// one that has. Where the file has no swap counters (a cgroup's memory.stat before Linux 6.13) the share is unknown
/// and the refault rate decides alone. Fixed-size ring: no allocation per sample.
/// </summary>
public sealed class ThrashTracker
{
    // Points at least 100 ms apart: a 1 s window needs finer steps than the 10 s stall windows' 250 ms, and 64 points
    // still span 6.4 s or more, several windows.
    private const long MinPointSpacingMs = 100;

    /// <summary>
    /// Swap-ins per 100 swap-outs over the window at or above which the refaults are a working set cycling through
    /// swap. Measured in the 6.12 and 6.1 guests (tests/fixtures/thrash/, windows of 1 s or more at 20 % full stall or
    /// more): a push-out to zram, stalled up to 93 %, brought back at most 1.8 pages per 100 it swapped out; a working
    /// set coming back, 11 per 100 in its first window and 38–59 after. 5 sits between them with room on both sides.
    /// </summary>
    public const double MinSwapInPercent = 5;

    private readonly long[] _timesMs = new long[64];
    private readonly long[] _fullTotalsUs = new long[64];
    private readonly long[] _refaults = new long[64];
    private readonly long[] _swapIns = new long[64];
    private readonly long[] _swapOuts = new long[64];
    private readonly long _windowMs;
    private readonly double _fullPercent;
    private readonly double _refaultsPerSecond;
    private int _count;
    private int _newest = -1;
    private long _heldSinceMs = -1;
    private bool _lastMoved;

    /// <param name="windowMs">The window both measures cover.</param>
    /// <param name="fullPercent">The full-stall share of the window at or above which the scope counts as stalled.</param>
    /// <param name="refaultsPerSecond">The refault rate (pages per second) at or above which the stall counts as thrash; 0 = the stall alone (the swap-in share still applies where it is known).</param>
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

    /// <summary>Swap-ins per 100 swap-outs over the same window (at most 100; 100 when pages came in and none went out); -1 when unknown (no swap counts, or no swap traffic).</summary>
    public double SwapInPercent { get; private set; } = -1;

    /// <summary>How long the condition has held (0 at the first sample that reached both levels); -1 when it does not hold.</summary>
    public long HeldMs { get; private set; } = -1;

    /// <summary>
    /// Whether the next reading needs the refault count: the full-stall counter moved since the newest point, or it
    /// had moved at the last reading (a stall's last window needs a count at its end too). A machine that never
    /// stalls never reads the refault file.
    /// </summary>
    public bool NeedsRefaults(long fullTotalUs) => _newest < 0 || fullTotalUs != _fullTotalsUs[_newest] || _lastMoved;

    /// <summary>Takes one reading: the cumulative full-stall counter (µs) and the cumulative refaults, or -1 when not read; no swap counts.</summary>
    public void Observe(long timeMs, long fullTotalUs, long refaults) => Observe(timeMs, fullTotalUs, refaults, -1, -1);

    /// <summary>
    /// Takes one reading: the cumulative full-stall counter (µs), the cumulative refaults, swap-ins and swap-outs
    /// (pages), each -1 when not read (or, for the swap counts, not counted by the kernel).
    /// </summary>
    public void Observe(long timeMs, long fullTotalUs, long refaults, long swapIns, long swapOuts)
    {
        _lastMoved = _newest >= 0 && fullTotalUs != _fullTotalsUs[_newest];
        if (_newest < 0 || timeMs - _timesMs[_newest] >= MinPointSpacingMs)
        {
            _newest = (_newest + 1) % _timesMs.Length;
            _count = Math.Min(_count + 1, _timesMs.Length);
            _timesMs[_newest] = timeMs;
            _fullTotalsUs[_newest] = fullTotalUs;
            _refaults[_newest] = refaults;
            _swapIns[_newest] = refaults >= 0 ? swapIns : -1;
            _swapOuts[_newest] = refaults >= 0 ? swapOuts : -1;
        }
        Measure(timeMs, fullTotalUs, refaults, swapIns, swapOuts);
        // An unknown share (no swap counters in the file) leaves the decision to the refaults, as before they were read.
        bool cycling = SwapInPercent < 0 || SwapInPercent >= MinSwapInPercent;
        HeldMs = HeldDuration.Next(ref _heldSinceMs, timeMs,
            FullPercent >= 0 && FullPercent >= _fullPercent && RefaultsPerSecond >= 0 && RefaultsPerSecond >= _refaultsPerSecond && cycling);
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
        SwapInPercent = -1;
        HeldMs = -1;
    }

    // The window starts at the newest point at least a window old (so it spans a window, or up to one sample interval
    // more). The stall share covers it; so does the refault rate when that point has a count. The counts start when
    // the stall does (the caller reads them only then), so at the onset of a thrash the window's start usually has
    // none: the rate then runs from the oldest count inside the window, once that is a quarter of a window old, so
    // it is known within a fraction of a window instead of a whole window later.
    private void Measure(long timeMs, long fullTotalUs, long refaults, long swapIns, long swapOuts)
    {
        FullPercent = -1;
        RefaultsPerSecond = -1;
        SwapInPercent = -1;
        int countedInside = -1;
        int oldestCountedInside = -1;
        long oldestInWindowUs = fullTotalUs;
        for (int i = 0; i < _count; i++)
        {
            int index = (_newest - i + _timesMs.Length) % _timesMs.Length;
            long ageMs = timeMs - _timesMs[index];
            if (ageMs < _windowMs)
            {
                oldestInWindowUs = _fullTotalsUs[index];
                if (_refaults[index] >= 0)
                {
                    oldestCountedInside = index;
                }
                if (_refaults[index] >= 0 && ageMs * 4 >= _windowMs)
                {
                    countedInside = index;
                }
                continue;
            }
            // After a gap in the readings (quiet wake-ups that left the pressure file unread) that point may be far
            // older than a window, and its average dilutes a stall that began since. The stall since the oldest point
            // inside the window happened within the window: over the whole window it is a lower bound of the share,
            // so the larger of the two never claims a stall that did not happen (as PsiFullStallTracker does).
            double averagePercent = (fullTotalUs - _fullTotalsUs[index]) / (ageMs * 10.0);
            double withinWindowPercent = (fullTotalUs - oldestInWindowUs) / (_windowMs * 10.0);
            FullPercent = Math.Clamp(Math.Max(averagePercent, withinWindowPercent), 0, 100);
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
            bool startOlderThanWindow = oldestCountedInside >= 0 && timeMs - _timesMs[countedInside] > _windowMs;
            if (startOlderThanWindow)
            {
                // The count at the window's start is older than a window (a gap, as for the share above): the refaults
                // since the oldest count inside the window, over the whole window, are a lower bound of its rate.
                RefaultsPerSecond = Math.Max(RefaultsPerSecond, Math.Max(0, refaults - _refaults[oldestCountedInside]) * 1000.0 / _windowMs);
            }
            // The swap-in share over the window; after a gap, over the part of it since the oldest count inside it: the
            // pages a quiet gap of up to 10 s pushed out to swap (cold ones, no thrash) would otherwise weigh against
            // the window's swap-ins, and hold the condition off for up to a window after the readings resume. Only a
            // count at least a quarter of a window old, as for the rate's start above: the oldest count inside can be
            // this very reading, whose share of its own traffic is unknown, and unknown does not veto (review finding:
            // with readings 1,001 ms apart a zram push-out then held the condition).
            int shareFrom = countedInside;
            if (startOlderThanWindow && (timeMs - _timesMs[oldestCountedInside]) * 4 >= _windowMs)
            {
                shareFrom = oldestCountedInside;
            }
            if (swapIns >= 0 && swapOuts >= 0 && _swapIns[shareFrom] >= 0 && _swapOuts[shareFrom] >= 0)
            {
                long inPages = Math.Max(0, swapIns - _swapIns[shareFrom]);
                long outPages = Math.Max(0, swapOuts - _swapOuts[shareFrom]);
                // No swap traffic at all while anonymous pages refault is not a case the counters explain: unknown.
                SwapInPercent = outPages > 0 ? Math.Min(100, inPages * 100.0 / outPages) : inPages > 0 ? 100 : -1;
            }
        }
    }
}
