using Reapd.Core.Daemon;
using Reapd.Core.Decision;
using Reapd.Linux.Sensors;

namespace Reapd.Daemon;

/// <summary>
/// One reading of the guarded scope per cycle, with the PSI stall conditions measured from the exact counters
/// (<see cref="SustainedStall"/>: the full-stall and some-stall shares of their windows and how long each has held at
/// or above its level): the decision core receives them in the sample and keeps no window of its own. The core's
/// RestartStallWindow command restarts both after a victim settled.
///
/// A quiet wake-up (no victim in flight) first takes the sensor's cheap lower bound (the system sensor: sysinfo's free
/// pages less the kernel's reserves, no /proc/meminfo); when that bound crosses no line the exact reading could not
/// either (<see cref="PressureAssessment.ProvesQuiet"/>), and the cycle decides on the bound. Otherwise, and at least
/// every <see cref="ExactRefreshMs"/> so the reported figures stay current, the full reading is taken.
/// </summary>
internal sealed class SampleSource
{
    /// <summary>The longest run of quiet wake-ups on the bound alone before one exact reading.</summary>
    public const long ExactRefreshMs = 10_000;

    private readonly IMemorySensor _sensor;
    private DaemonConfig _config;
    private readonly SustainedStall? _full;
    private readonly SustainedStall? _some;
    private long _lastExactMs = long.MinValue;

    public SampleSource(IMemorySensor sensor, DaemonConfig config)
    {
        _sensor = sensor;
        _config = config;
        _full = config.PsiFullPercent is double full ? new SustainedStall(config.PsiFullWindowMs, full) : null;
        _some = config.PsiSomePercent is double some ? new SustainedStall(config.PsiSomeWindowMs, some) : null;
    }

    public string Description => _sensor.Description;

    /// <summary>Cycles decided on the lower bound alone, and cycles that read the scope in full.</summary>
    public long QuietReads { get; private set; }

    public long ExactReads { get; private set; }

    /// <summary>Whether quiet wake-ups may decide on the lower bound (on; off only to measure the full reading's cost).</summary>
    public bool QuietEnabled { get; set; } = true;

    public bool TryRead(long timeMs, out MemorySample sample) => TryRead(timeMs, quietAllowed: false, out sample);

    /// <summary>
    /// <paramref name="quietAllowed"/>: nothing is in flight, so a reading that proves every line far is all the
    /// cycle needs (the settle gate, when a victim is in flight, watches exact figures).
    /// </summary>
    public bool TryRead(long timeMs, bool quietAllowed, out MemorySample sample)
    {
        if (quietAllowed && QuietEnabled && timeMs - _lastExactMs < ExactRefreshMs && _sensor.TryReadLowerBound(timeMs, out sample))
        {
            sample = WithStalls(sample, timeMs);
            if (PressureAssessment.ProvesQuiet(sample, _config))
            {
                QuietReads++;
                return true;
            }
        }
        if (!_sensor.TryRead(timeMs, out sample))
        {
            return false;
        }
        ExactReads++;
        _lastExactMs = timeMs;
        sample = WithStalls(sample, timeMs);
        return true;
    }

    /// <summary>A reload's settings: the lines the quiet proof checks against (the stall levels and windows stay the start's).</summary>
    public void Reconfigure(DaemonConfig config) => _config = config;

    public void RestartStallWindow()
    {
        _full?.Restart();
        _some?.Restart();
    }

    private MemorySample WithStalls(in MemorySample sample, long timeMs)
    {
        if (!sample.Psi.Present)
        {
            return sample;
        }
        MemorySample result = sample;
        if (_full is not null)
        {
            _full.Observe(timeMs, sample.Psi.FullTotalUs);
            result = result with { PsiFullWindowPercent = _full.SharePercent, PsiFullHeldMs = _full.HeldMs };
        }
        if (_some is not null)
        {
            _some.Observe(timeMs, sample.Psi.SomeTotalUs);
            result = result with { PsiSomeWindowPercent = _some.SharePercent, PsiSomeHeldMs = _some.HeldMs };
        }
        return result;
    }
}
