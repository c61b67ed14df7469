using Reapd.Core.Daemon;
using Reapd.Linux.Sensors;

namespace Reapd.Daemon;

/// <summary>
/// One reading of the guarded scope per cycle, with the full-stall share of the last PSI window measured from the
/// exact counters (<see cref="PsiFullStallTracker"/>): the decision core receives it in the sample and never keeps a
/// window of its own. The core's RestartStallWindow command restarts the window after a victim settled.
/// </summary>
internal sealed class SampleSource
{
    private readonly IMemorySensor _sensor;
    private readonly PsiFullStallTracker? _stall;

    public SampleSource(IMemorySensor sensor, DaemonConfig config)
    {
        _sensor = sensor;
        _stall = config.PsiFullPercent is null ? null : new PsiFullStallTracker(config.PsiFullWindowMs);
    }

    public string Description => _sensor.Description;

    public bool TryRead(long timeMs, out MemorySample sample)
    {
        if (!_sensor.TryRead(timeMs, out sample))
        {
            return false;
        }
        if (_stall is not null && sample.Psi.Present)
        {
            sample = sample with { PsiFullWindowPercent = _stall.Observe(timeMs, sample.Psi.FullTotalUs) };
        }
        return true;
    }

    public void RestartStallWindow() => _stall?.Restart();
}
