using Reapd.Core.Daemon;
using Reapd.Core.Decision;
using Reapd.Core.Proc;
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
///
/// The PSI file is left unread on such a quiet wake-up too when the kernel's triggers watch every stall condition
/// (<see cref="PsiTriggersCover"/>), the wake-up was not a trigger's, and the last reading found the stall counters
/// still (under <see cref="StillStallPercent"/> of the time since the reading before, no condition held): a stall
/// that could reach a condition fires a trigger first, and that wake-up reads the file. The sample then carries the
/// last reading and the stall shares as last measured. The share of a window taken after such a gap counts the stall
/// since the oldest point inside the window (<see cref="PsiFullStallTracker"/>, and the thrash condition's
/// <see cref="ThrashTracker"/>), so the gap does not dilute it.
///
/// The thrash condition needs no trigger while no swap is in use (<see cref="PsiTriggersCoverWithoutSwap"/>): its
/// refault rate counts anonymous refaults, and there are none without pages in swap (<see cref="ThrashSwapRule"/>).
/// What a gap in its readings costs: a skipped cycle feeds no tracker, so the first reading after it has no refault
/// count at the window's start and no rate; the condition is judged again from the next reading on. The cycle that
/// first sees swap in use reads the file, and so does every cycle while swap stays in use and for one thrash window
/// and one longest interval after (<see cref="SwapRecentlyInUse"/>); the counts start there, and every anonymous
/// refault they miss is of a page swapped out after the last cycle that saw no swap in use.
/// </summary>
internal sealed class SampleSource
{
    /// <summary>The longest run of quiet wake-ups on the bound alone before one exact reading.</summary>
    public const long ExactRefreshMs = 10_000;

    /// <summary>
    /// Stall counters that grew by less than this share of the time between two readings are "still": under the share
    /// the early some trigger is armed at (10 %, or a some condition's when that is lower), so a stall that could reach
    /// a condition fires a trigger when it grows (DaemonResources.TriggersCover).
    /// </summary>
    public const double StillStallPercent = 1;

    private readonly IMemorySensor _sensor;
    private DaemonConfig _config;
    private readonly SustainedStall? _full;
    private readonly SustainedStall? _some;
    private readonly ThrashTracker? _thrash;
    private readonly RefaultReader? _refaults;
    private long _lastExactMs = long.MinValue;
    private PsiReading _lastPsi;
    private long _lastPsiMs = long.MinValue;
    private bool _psiStill;

    /// <param name="refaults">The scope's refault counter for the thrash condition; null: the condition has no rate
    /// and holds only where its refault rate is 0 (owned by the caller).</param>
    public SampleSource(IMemorySensor sensor, DaemonConfig config, RefaultReader? refaults = null)
    {
        _sensor = sensor;
        _config = config;
        _full = config.PsiFullPercent is double full ? new SustainedStall(config.PsiFullWindowMs, full) : null;
        _some = config.PsiSomePercent is double some ? new SustainedStall(config.PsiSomeWindowMs, some) : null;
        _thrash = config.ThrashFullPercent is double thrash ? new ThrashTracker(config.ThrashWindowMs, thrash, config.ThrashRefaultsPerSecond) : null;
        _refaults = refaults;
    }

    /// <summary>Readings of the refault counter (taken only while the scope stalls).</summary>
    public long RefaultReads { get; private set; }

    public string Description => _sensor.Description;

    /// <summary>Cycles decided on the lower bound alone, and cycles that read the scope in full.</summary>
    public long QuietReads { get; private set; }

    public long ExactReads { get; private set; }

    /// <summary>Whether quiet wake-ups may decide on the lower bound (on; off only to measure the full reading's cost).</summary>
    public bool QuietEnabled { get; set; } = true;

    /// <summary>
    /// Whether armed PSI triggers watch every configured stall condition (the loop sets it from what the kernel
    /// accepted): only then may a quiet wake-up leave the PSI file unread. False reads it on every cycle.
    /// </summary>
    public bool PsiTriggersCover { get; set; }

    /// <summary>
    /// Whether armed PSI triggers watch every configured stall condition but the thrash condition, and that one can
    /// hold only while swap is in use (<see cref="ThrashSwapRule"/>, <see cref="ThrashReach.OnlyWithSwapInUse"/>): then
    /// a quiet wake-up whose sysinfo shows no swap slot taken may leave the PSI file unread as well; one that shows swap
    /// in use reads it. (Where the thrash condition can never hold, the loop sets <see cref="PsiTriggersCover"/> instead.)
    /// </summary>
    public bool PsiTriggersCoverWithoutSwap { get; set; }

    /// <summary>
    /// A PSI trigger was dropped from the wake set (poll reported an error or an invalid fd on it): nothing watches its
    /// condition any more, so from here on every cycle reads the pressure file (<see cref="PsiTriggersCover"/> and
    /// <see cref="PsiTriggersCoverWithoutSwap"/> off for good; the triggers are armed only at start).
    /// </summary>
    public void PsiTriggerDropped()
    {
        PsiTriggersCover = false;
        PsiTriggersCoverWithoutSwap = false;
    }

    /// <summary>Quiet cycles that did not read the PSI file (a subset of <see cref="QuietReads"/>).</summary>
    public long PsiReadsSkipped { get; private set; }

    public bool TryRead(long timeMs, out MemorySample sample) => TryRead(timeMs, quietAllowed: false, psiWoke: true, out sample);

    /// <summary>
    /// <paramref name="quietAllowed"/>: nothing is in flight, so a reading that proves every line far is all the
    /// cycle needs (the settle gate, when a victim is in flight, watches exact figures). <paramref name="psiWoke"/>:
    /// a PSI trigger fired, so the pressure file is read whatever else holds.
    /// </summary>
    public bool TryRead(long timeMs, bool quietAllowed, bool psiWoke, out MemorySample sample)
    {
        if (quietAllowed && QuietEnabled && timeMs - _lastExactMs < ExactRefreshMs)
        {
            bool skipPsi = (PsiTriggersCover || PsiTriggersCoverWithoutSwap) && !psiWoke && _psiStill;
            if (skipPsi ? _sensor.TryReadLowerBound(timeMs, _lastPsi, out sample) : _sensor.TryReadLowerBound(timeMs, out sample))
            {
                NoteSwap(sample, timeMs);
                if (skipPsi && !PsiTriggersCover && SwapRecentlyInUse(timeMs))
                {
                    // Swap in use, now or within the last thrash window and interval: the thrash condition, which no
                    // trigger watches, could hold. The same sysinfo reading, and the pressure file after all.
                    skipPsi = false;
                    sample = sample with { Psi = _sensor.ReadPressure() };
                }
                sample = skipPsi ? WithLastStalls(sample) : WithStalls(sample, timeMs);
                if (PressureAssessment.ProvesQuiet(sample, _config))
                {
                    QuietReads++;
                    if (skipPsi)
                    {
                        PsiReadsSkipped++;
                    }
                    return true;
                }
            }
        }
        if (!_sensor.TryRead(timeMs, out sample))
        {
            return false;
        }
        ExactReads++;
        _lastExactMs = timeMs;
        NoteSwap(sample, timeMs);
        sample = WithStalls(sample, timeMs);
        return true;
    }

    /// <summary>
    /// When a reading last showed a swap slot taken. Swap in use counts for one thrash window and one longest interval
    /// after that reading: since Linux 6.15 a page's slot is freed when it comes back in, so a cycle can land on a moment
    /// with no slot taken while its window held refaults; the cycles that follow one that saw swap keep reading the file
    /// until such a window has passed (docs/daemon.md, "Without swap in use").
    /// </summary>
    private long _swapSeenMs = long.MinValue;

    private void NoteSwap(in MemorySample sample, long timeMs)
    {
        if (ThrashSwapRule.SwapInUse(sample))
        {
            _swapSeenMs = timeMs;
        }
    }

    private bool SwapRecentlyInUse(long timeMs) =>
        _swapSeenMs != long.MinValue && timeMs - _swapSeenMs <= _config.ThrashWindowMs + _config.MaxIntervalMs;

    /// <summary>
    /// Runs, once before memory is locked, what a quiet cycle does when swap comes into use: the pressure file read on
    /// the cheap reading (the system sensor reads it nowhere else). Otherwise that code would first run under the
    /// pressure that brought swap into use (docs/reliability.md, "Under its own pressure"). Feeds no tracker.
    /// </summary>
    public void WarmUpSwapBranch(long timeMs)
    {
        // The branch's own steps, on the cheap reading that keeps the last PSI reading, as a skipping cycle makes it;
        // only the trackers are not fed (WithLastStalls, not WithStalls).
        if (PsiTriggersCoverWithoutSwap && _sensor.TryReadLowerBound(timeMs, _lastPsi, out MemorySample sample))
        {
            NoteSwap(sample, timeMs);
            _ = SwapRecentlyInUse(timeMs);
            sample = sample with { Psi = _sensor.ReadPressure() };
            _ = PressureAssessment.ProvesQuiet(WithLastStalls(sample), _config);
        }
    }

    /// <summary>The credit's keeper where the scope's available memory was MemAvailable at the last reading, else null.</summary>
    private SystemMemorySensor? CreditTarget => _sensor.BoundedByMemAvailable ? _sensor.ListCreditOwner : null;

    /// <summary>The bytes on the kernel's per-CPU lists now, where the scope needs them for a credit (-1 elsewhere).</summary>
    public long ListBytesNow() => CreditTarget?.ListBytesNow() ?? -1;

    /// <summary>
    /// A victim holding up to <paramref name="heldBytes"/> was just signalled, the lists holding
    /// <paramref name="listBytes"/>: where the scope's figure is MemAvailable, what it frees onto them counts as
    /// available from here on (SystemMemorySensor.VictimSignalled); elsewhere nothing.
    /// </summary>
    public void VictimSignalled(long heldBytes, bool newVictim, long listBytes) => CreditTarget?.VictimSignalled(heldBytes, newVictim, listBytes);

    /// <summary>The victim is no longer in flight: the credit ends once the lists are back at their size at the signal.</summary>
    public void VictimReleased(long nowMs) => _sensor.ListCreditOwner?.VictimReleased(nowMs);

    /// <summary>Ends a running credit (after the start-up's warm-up kill, which signals a child of reapd's own).</summary>
    public void EndListCredit() => _sensor.ListCreditOwner?.EndListCredit();

    /// <summary>The credit's code, once before memory is locked.</summary>
    public void WarmUpListCredit(long timeMs) => _sensor.ListCreditOwner?.WarmUpListCredit(timeMs);

    /// <summary>A reload's settings: the lines the quiet proof checks against (the stall levels and windows stay the start's).</summary>
    public void Reconfigure(DaemonConfig config) => _config = config;

    public void RestartStallWindow()
    {
        _full?.Restart();
        _some?.Restart();
        _thrash?.Restart();
    }

    /// <summary>A sample whose PSI reading was kept, not taken: the stall shares as last measured (the trackers are not fed).</summary>
    private MemorySample WithLastStalls(in MemorySample sample) => sample with
    {
        PsiFullWindowPercent = _full?.SharePercent ?? -1,
        PsiFullHeldMs = _full?.HeldMs ?? 0,
        PsiSomeWindowPercent = _some?.SharePercent ?? -1,
        PsiSomeHeldMs = _some?.HeldMs ?? 0,
        ThrashFullPercent = _thrash?.FullPercent ?? -1,
        ThrashRefaultsPerSecond = _thrash?.RefaultsPerSecond ?? -1,
        ThrashSwapInPercent = _thrash?.SwapInPercent ?? -1,
        ThrashHeldMs = _thrash?.HeldMs ?? -1,
    };

    private MemorySample WithStalls(in MemorySample sample, long timeMs)
    {
        if (!sample.Psi.Present)
        {
            _psiStill = false;
            return sample;
        }
        // "Still": the some counter (every full stall is a some stall too) grew by under StillStallPercent of the time
        // since the previous reading. The first reading has nothing to compare with.
        long elapsedMs = timeMs - _lastPsiMs;
        _psiStill = _lastPsi.Present && elapsedMs > 0
            && (sample.Psi.SomeTotalUs - _lastPsi.SomeTotalUs) * 100.0 < StillStallPercent * elapsedMs * 1000;
        _lastPsi = sample.Psi;
        _lastPsiMs = timeMs;
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
        if (_thrash is not null)
        {
            // The counters only while the full-stall counter moves (and once after): a machine that does not stall pays
            // nothing for /proc/vmstat. Without a refault file the rate is 0, and only a rate of 0 lets the stall kill alone.
            // The refaults are the anonymous ones (a working set coming back from swap); the page cache's refaults count
            // only on a kernel that does not tell the kinds apart (before 5.9), and only where the swap counters can veto
            // (RefaultCounters.ThrashRefaults). docs/daemon.md, "The thrash condition".
            long refaults = 0, swapIns = -1, swapOuts = -1;
            if (_refaults is not null)
            {
                refaults = -1;
                if (_thrash.NeedsRefaults(sample.Psi.FullTotalUs))
                {
                    RefaultCounters counters = _refaults.Read();
                    refaults = counters.ThrashRefaults;
                    swapIns = counters.SwapIns;
                    swapOuts = counters.SwapOuts;
                    RefaultReads++;
                }
            }
            _thrash.Observe(timeMs, sample.Psi.FullTotalUs, refaults, swapIns, swapOuts);
            result = result with { ThrashFullPercent = _thrash.FullPercent, ThrashRefaultsPerSecond = _thrash.RefaultsPerSecond, ThrashSwapInPercent = _thrash.SwapInPercent, ThrashHeldMs = _thrash.HeldMs };
        }
        _psiStill &= (_full is null || _full.HeldMs < 0) && (_some is null || _some.HeldMs < 0)
            && (_thrash is null || _thrash.HeldMs < 0);
        return result;
    }
}
