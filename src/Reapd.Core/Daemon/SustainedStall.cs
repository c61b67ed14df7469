namespace Reapd.Core.Daemon;

/// <summary>
/// One PSI stall condition as the sensing side measures it: the share of the last window spent stalled (from the
/// exact cumulative counter, <see cref="PsiFullStallTracker"/>, which serves the "some" counter as well as the "full"
/// one) and how long that share has stayed at or above the level without a break. A sample whose share dips below the
/// level resets the duration: the condition must hold for the whole configured duration, as seen by every sample taken
/// meanwhile. Fixed-size state: no allocation per sample.
/// </summary>
public sealed class SustainedStall
{
    private readonly PsiFullStallTracker _share;
    private readonly double _levelPercent;
    private long _heldSinceMs = -1;

    public SustainedStall(long windowMs, double levelPercent)
    {
        _share = new PsiFullStallTracker(windowMs);
        _levelPercent = levelPercent;
    }

    /// <summary>The share (percent) of the window ending at the last observation, or -1 when no whole window is known.</summary>
    public double SharePercent { get; private set; } = -1;

    /// <summary>How long the share has stayed at or above the level (0 at the first sample that reached it), or -1 when it is below.</summary>
    public long HeldMs { get; private set; } = -1;

    /// <summary>Takes one reading of the cumulative stall counter (µs).</summary>
    public void Observe(long timeMs, long stallTotalUs)
    {
        SharePercent = _share.Observe(timeMs, stallTotalUs);
        HeldMs = HeldDuration.Next(ref _heldSinceMs, timeMs, SharePercent >= 0 && SharePercent >= _levelPercent);
    }

    /// <summary>Forgets the window and the duration: after a settled victim the condition must be earned anew.</summary>
    public void Restart()
    {
        _share.Restart();
        _heldSinceMs = -1;
        SharePercent = -1;
        HeldMs = -1;
    }
}
