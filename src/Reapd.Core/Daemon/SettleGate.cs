namespace Reapd.Core.Daemon;

/// <summary>
/// reapd's MMF_OOM_SKIP (DESIGN.md; kernel.md B.6): a victim stays in flight, and no other victim is chosen, until
/// it is reaped or gone (process_mrelease returned 0, or its pidfd became readable) AND the memory shows it (available
/// rose by at least half of what the victim held, or the low-memory condition cleared); or until the bounded settle
/// timeout, which excludes that victim from later choices. A victim whose reap answered ESRCH while its pidfd stays
/// unreadable and memory does not move is stuck in __mmput (kernel.md D.4): reported as such and excluded.
/// Pure: time comes from the samples.
/// </summary>
public sealed class SettleGate
{
    private readonly DaemonConfig _config;
    private long _termSentMs;
    private long _killSentMs;
    private long _goneAtMs;
    private long _noMmAtMs;
    private long _firstSignalMs;
    private long _lowestAvailableBytes;

    public SettleGate(DaemonConfig config)
    {
        _config = config;
        Reset();
    }

    public VictimExclusions Exclusions { get; } = new();

    public VictimPhase Phase { get; private set; }

    public VictimId Victim { get; private set; }

    /// <summary>What the victim held when chosen (RSS + swap), the yardstick of "memory back".</summary>
    public long HeldBytes { get; private set; }

    public bool Reaped { get; private set; }

    public bool Gone { get; private set; }

    public ReapObservation LastReap { get; private set; }

    public VictimStatus Status => new(Phase, Victim, _termSentMs, Gone);

    /// <summary>SIGTERM went to a newly chosen victim.</summary>
    public void Terminated(VictimId victim, long heldBytes, in MemorySample sample)
    {
        RequirePhase(VictimPhase.None, "a new victim was signalled while another was in flight");
        Begin(victim, heldBytes, sample);
        Phase = VictimPhase.Terminating;
        _termSentMs = sample.TimeMs;
    }

    /// <summary>SIGKILL went to a newly chosen victim, or to the SIGTERMed one (escalation).</summary>
    public void Killed(VictimId victim, long heldBytes, in MemorySample sample)
    {
        if (Phase == VictimPhase.Terminating)
        {
            if (victim != Victim)
            {
                throw new InvalidOperationException($"escalation to {victim.Pid} while {Victim.Pid} was the victim");
            }
            HeldBytes = Math.Max(HeldBytes, heldBytes);
            _lowestAvailableBytes = Math.Min(_lowestAvailableBytes, sample.AvailableBytes);
        }
        else
        {
            RequirePhase(VictimPhase.None, "a new victim was killed while another was in flight");
            Begin(victim, heldBytes, sample);
        }
        Phase = VictimPhase.Killed;
        _killSentMs = sample.TimeMs;
    }

    /// <summary>What process_mrelease answered (called right after the SIGKILL, never after SIGTERM).</summary>
    public void ReapReturned(ReapObservation observation, long nowMs)
    {
        LastReap = observation;
        if (observation == ReapObservation.Released)
        {
            Reaped = true;
        }
        else if (observation == ReapObservation.NoMm && _noMmAtMs == long.MinValue)
        {
            _noMmAtMs = nowMs;
        }
    }

    /// <summary>The victim's pidfd became readable: its thread group has exited (kernel.md C.4).</summary>
    public void VictimGone(long nowMs)
    {
        if (Phase != VictimPhase.None && !Gone)
        {
            Gone = true;
            _goneAtMs = nowMs;
        }
    }

    /// <summary>The signal could not be delivered (identity changed, not permitted): drop the victim, and exclude it if asked.</summary>
    public void Abandon(bool exclude)
    {
        if (exclude && Phase != VictimPhase.None)
        {
            Exclusions.Add(Victim);
        }
        Reset();
    }

    /// <summary>
    /// Checks the victim against a new sample. <paramref name="conditionCleared"/> is the governor's verdict on the
    /// same sample (pressure level None). A Settled verdict is returned once, and opens the gate.
    /// </summary>
    public SettleVerdict Evaluate(in MemorySample sample, bool conditionCleared)
    {
        if (Phase == VictimPhase.None)
        {
            return default;
        }
        long now = sample.TimeMs;
        // Measured from the lowest point since the first signal: another allocator may keep eating while the victim
        // frees, and the rise from the bottom is what the victim gave back.
        _lowestAvailableBytes = Math.Min(_lowestAvailableBytes, sample.AvailableBytes);
        long recovered = sample.AvailableBytes - _lowestAvailableBytes;
        bool reapedOrGone = Reaped || Gone;
        bool memoryBack = recovered * 2 >= HeldBytes;

        if (reapedOrGone && memoryBack)
        {
            return Settle(SettleReason.MemoryBack, now, recovered);
        }
        if (reapedOrGone && conditionCleared)
        {
            return Settle(SettleReason.ConditionCleared, now, recovered);
        }
        if (Phase == VictimPhase.Terminating && !Gone)
        {
            // The grace is the governor's business; the settle clock starts at SIGKILL or at the exit.
            return InFlight(now, recovered);
        }
        if (_noMmAtMs != long.MinValue && !Gone && now - _noMmAtMs >= _config.StuckGraceMs && recovered * 16 < HeldBytes)
        {
            return Settle(SettleReason.StuckInMmput, now, recovered);
        }
        long settleClockStartMs = Phase == VictimPhase.Killed ? _killSentMs : _goneAtMs;
        if (now - settleClockStartMs >= _config.SettleTimeoutMs)
        {
            return Settle(_config.DryRun ? SettleReason.DryRun : SettleReason.Timeout, now, recovered);
        }
        return InFlight(now, recovered);
    }

    /// <summary>Milliseconds until the settle timeout (or the grace, for a SIGTERMed victim) ends; for the loop's poll timeout.</summary>
    public long MsUntilDeadline(long nowMs)
    {
        return Phase switch
        {
            VictimPhase.Terminating when !Gone => _termSentMs + _config.GraceMs - nowMs,
            VictimPhase.Terminating => _goneAtMs + _config.SettleTimeoutMs - nowMs,
            VictimPhase.Killed => _killSentMs + _config.SettleTimeoutMs - nowMs,
            _ => long.MaxValue,
        };
    }

    private SettleVerdict InFlight(long now, long recovered) =>
        new(SettleVerdictKind.InFlight, default, Victim, now - _firstSignalMs, HeldBytes, recovered, Reaped, Gone);

    private SettleVerdict Settle(SettleReason reason, long now, long recovered)
    {
        var verdict = new SettleVerdict(SettleVerdictKind.Settled, reason, Victim, now - _firstSignalMs, HeldBytes, recovered, Reaped, Gone);
        if (verdict.ExcludesVictim)
        {
            Exclusions.Add(Victim);
        }
        Reset();
        return verdict;
    }

    private void Begin(VictimId victim, long heldBytes, in MemorySample sample)
    {
        Reset();
        Victim = victim;
        HeldBytes = Math.Max(0, heldBytes);
        _firstSignalMs = sample.TimeMs;
        _lowestAvailableBytes = sample.AvailableBytes;
    }

    private void Reset()
    {
        Phase = VictimPhase.None;
        Victim = default;
        HeldBytes = 0;
        Reaped = false;
        Gone = false;
        LastReap = ReapObservation.NotAttempted;
        _termSentMs = _killSentMs = _goneAtMs = _firstSignalMs = 0;
        _noMmAtMs = long.MinValue;
        _lowestAvailableBytes = long.MaxValue;
    }

    private void RequirePhase(VictimPhase expected, string message)
    {
        if (Phase != expected)
        {
            throw new InvalidOperationException(message);
        }
    }
}
