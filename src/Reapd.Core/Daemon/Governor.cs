namespace Reapd.Core.Daemon;

/// <summary>
/// The decision half of the daemon, pure: a sample, the configuration and the victim in flight go in; what to do
/// comes out. No I/O and no clock of its own (time is the sample's), so tables test it.
///
/// The escalation mirrors the kernel's protocol (DESIGN.md): one victim at a time; SIGTERM first at the term level;
/// SIGKILL of that same victim when its grace ends or when memory reaches the kill level meanwhile; no new victim
/// while one is in flight (the settle gate decides when it has landed).
/// </summary>
public sealed class Governor
{
    /// <summary>After a scan found nobody to choose, how long before scanning again (the list rarely changes faster).</summary>
    public const long NoCandidateBackoffMs = 1000;

    private readonly DaemonConfig _config;
    private readonly PsiFullStallTracker _psiFull;
    private long _noCandidateUntilMs = long.MinValue;

    public Governor(DaemonConfig config)
    {
        _config = config;
        _psiFull = new PsiFullStallTracker(config.PsiFullWindowMs);
    }

    public DaemonConfig Config => _config;

    /// <summary>The full-stall share over the last window (percent), or -1 when unknown; for the event line.</summary>
    public double PsiFullSharePercent => _psiFull.LastSharePercent;

    public long TermLevelBytes(in MemorySample sample) => (long)(sample.TotalBytes * _config.TermPercent / 100);

    public long KillLevelBytes(in MemorySample sample) => (long)(sample.TotalBytes * _config.KillPercent / 100);

    /// <summary>
    /// How bad memory is. Low memory counts only together with low swap where there is swap (swap that still has
    /// room is memory the kernel can still get); with no swap at all (SwapTotal 0) memory alone decides. Call once
    /// per sample: it feeds the full-stall window.
    /// </summary>
    public PressureLevel Assess(in MemorySample sample)
    {
        bool stalled = false;
        if (_config.PsiFullPercent is double psiLevel && sample.Psi.Present)
        {
            double share = _psiFull.Observe(sample.TimeMs, sample.Psi.FullTotalUs);
            stalled = share >= psiLevel;
        }
        if (sample.TotalBytes <= 0)
        {
            return stalled ? PressureLevel.Kill : PressureLevel.None;
        }
        if (stalled || (sample.AvailableBytes <= KillLevelBytes(sample) && SwapLow(sample, _config.KillPercent)))
        {
            return PressureLevel.Kill;
        }
        if (sample.AvailableBytes <= TermLevelBytes(sample) && SwapLow(sample, _config.TermPercent))
        {
            return PressureLevel.Term;
        }
        return PressureLevel.None;
    }

    /// <summary>True when the last Kill level came from the full-stall condition rather than from the memory reading.</summary>
    public bool IsFullStall => _config.PsiFullPercent is double level && _psiFull.LastSharePercent >= level;

    /// <summary>Assesses the sample and decides. Equivalent to <see cref="Decide(PressureLevel, long, in VictimStatus)"/> after <see cref="Assess"/>.</summary>
    public GovernorDecision Decide(in MemorySample sample, in VictimStatus victim) => Decide(Assess(sample), sample.TimeMs, victim);

    public GovernorDecision Decide(PressureLevel level, long nowMs, in VictimStatus victim)
    {
        switch (victim.Phase)
        {
            case VictimPhase.Killed:
                return new(DecisionKind.Wait, DecisionReason.VictimInFlight, level);
            case VictimPhase.Terminating when victim.Gone:
                // It exited on the SIGTERM: nothing left to kill; the gate waits for its memory.
                return new(DecisionKind.Wait, DecisionReason.VictimInFlight, level);
            case VictimPhase.Terminating:
                if (level == PressureLevel.Kill)
                {
                    return new(DecisionKind.Escalate, DecisionReason.KillLevelDuringGrace, level);
                }
                if (nowMs - victim.TermSentMs >= _config.GraceMs)
                {
                    // A SIGTERM is a commitment: the victim was asked to go and has not, whatever memory does now.
                    return new(DecisionKind.Escalate, DecisionReason.GraceExpired, level);
                }
                return new(DecisionKind.Wait, DecisionReason.GraceRunning, level);
        }
        if (level == PressureLevel.None)
        {
            return new(DecisionKind.Nothing, DecisionReason.Healthy, level);
        }
        if (nowMs < _noCandidateUntilMs)
        {
            return new(DecisionKind.Wait, DecisionReason.NoCandidateRecently, level);
        }
        if (level == PressureLevel.Kill)
        {
            return new(DecisionKind.Kill, IsFullStall ? DecisionReason.PsiFullStall : DecisionReason.KillLevel, level);
        }
        return _config.GraceMs == 0
            ? new(DecisionKind.Kill, DecisionReason.TermLevel, level)
            : new(DecisionKind.Terminate, DecisionReason.TermLevel, level);
    }

    /// <summary>
    /// Picks the victim for a Terminate/Kill decision: the first of the ranked candidates (best first) that is not
    /// excluded. Nobody eligible is an answer of its own, which the daemon reports; the governor then waits
    /// <see cref="NoCandidateBackoffMs"/> before asking for another scan.
    /// </summary>
    public Choice Choose(ReadOnlySpan<VictimId> ranked, VictimExclusions exclusions, long nowMs)
    {
        int excluded = 0;
        for (int i = 0; i < ranked.Length; i++)
        {
            if (exclusions.Contains(ranked[i]))
            {
                excluded++;
                continue;
            }
            _noCandidateUntilMs = long.MinValue;
            return new Choice(i, excluded);
        }
        _noCandidateUntilMs = nowMs + NoCandidateBackoffMs;
        return new Choice(-1, excluded);
    }

    /// <summary>
    /// Swap still counts as room only where there is swap: with SwapTotal 0 (no swap at all, as on this machine and
    /// most servers) the swap side is always "low", so memory alone decides. With swap, both must be low, because
    /// the kernel can still push anonymous pages out; thrashing on swap is what the full-stall condition catches.
    /// </summary>
    private static bool SwapLow(in MemorySample sample, double percent) =>
        !sample.HasSwap || sample.SwapFreeBytes * 100.0 <= sample.SwapTotalBytes * percent;

    /// <summary>A victim has settled: its stall is answered, the full-stall window starts again.</summary>
    public void VictimSettled() => _psiFull.Restart();
}
