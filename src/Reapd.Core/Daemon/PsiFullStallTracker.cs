namespace Reapd.Core.Daemon;

/// <summary>
/// Measures the share of wall time the scope spent fully stalled on memory over the last window, from the exact
/// cumulative "full total=" counter rather than the kernel's avg10 (which keeps showing a past stall for tens of
/// seconds and would make reapd kill again after the emergency is over). The window restarts after every victim,
/// so a stall that a kill already answered never counts twice. Fixed-size ring: no allocation per sample.
/// </summary>
public sealed class PsiFullStallTracker
{
    // One point every >= 250 ms is enough resolution for a 10 s window; 64 points span at least 16 s.
    private const long MinPointSpacingMs = 250;
    private readonly long[] _timesMs = new long[64];
    private readonly long[] _totalsUs = new long[64];
    private readonly long _windowMs;
    private int _count;
    private int _newest = -1;

    public PsiFullStallTracker(long windowMs)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(windowMs);
        _windowMs = windowMs;
    }

    /// <summary>The full-stall share (percent) over the last complete window, or -1 when no complete window is known yet.</summary>
    public double LastSharePercent { get; private set; } = -1;

    /// <summary>Takes one reading and returns the stall share over the window ending now, or -1 if the window is not yet covered.</summary>
    public double Observe(long timeMs, long fullTotalUs)
    {
        if (_newest < 0 || timeMs - _timesMs[_newest] >= MinPointSpacingMs)
        {
            _newest = (_newest + 1) % _timesMs.Length;
            _timesMs[_newest] = timeMs;
            _totalsUs[_newest] = fullTotalUs;
            _count = Math.Min(_count + 1, _timesMs.Length);
        }
        // The newest point at least one window old: the stall since then is at least a window's worth of evidence.
        // When the counter was not read for a while (quiet wake-ups skip the pressure file while the kernel's triggers
        // watch it), that point can be much older than a window and its average dilutes a stall that began after it.
        // So the stall since the oldest point inside the window counts too, over the whole window: it happened within
        // the window, so it is a lower bound of the window's share and never claims a stall that did not happen.
        long oldestInWindowUs = fullTotalUs;
        for (int i = 0; i < _count; i++)
        {
            int index = (_newest - i + _timesMs.Length) % _timesMs.Length;
            long ageMs = timeMs - _timesMs[index];
            if (ageMs >= _windowMs)
            {
                long stalledUs = fullTotalUs - _totalsUs[index];
                double averagePercent = stalledUs / (ageMs * 10.0);
                double withinWindowPercent = (fullTotalUs - oldestInWindowUs) / (_windowMs * 10.0);
                LastSharePercent = Math.Clamp(Math.Max(averagePercent, withinWindowPercent), 0, 100);
                return LastSharePercent;
            }
            oldestInWindowUs = _totalsUs[index];
        }
        LastSharePercent = -1;
        return -1;
    }

    /// <summary>Forgets every point: the next decision needs a whole new window of stall.</summary>
    public void Restart()
    {
        _count = 0;
        _newest = -1;
        LastSharePercent = -1;
    }
}
