using Reapd.Core.Daemon;

namespace Reapd.Core.Decision;

/// <summary>
/// reapd's MMF_OOM_SKIP (docs/daemon.md, "The settle gate"). Like the kernel's, the gate is about the victim, not
/// the system: a victim is settled as soon as the kernel confirms its memory is freed —
/// <list type="bullet">
/// <item>process_mrelease returned 0 (its anonymous memory is unmapped, even if the process lingers), unless most of
///   what it held is shmem, which only its exit frees, or its exit was tearing the mm down beside the reap and holds
///   what it unmapped: then also its exit, or a short bounded wait for it;</item>
/// <item>or the victim and every mm sharer exited (pidfds readable): the last exit ran exit_mmap.</item>
/// </list>
/// The system-wide reading is no part of that test: other allocators may absorb what was freed. It only tells a stuck
/// exit from a slow one: after ESRCH (no thread holds the mm) with the pidfd unreadable, available memory that rises
/// is an exit in progress; available memory that does not move for the stuck grace is a last mmput stuck in __mmput,
/// which userspace cannot reap. A bounded timeout, reported, covers everything else.
/// </summary>
public static class SettleRules
{
    /// <summary>Below this rise, available memory "did not move" (noise from the page cache is larger).</summary>
    public const long MinProgressBytes = 1 << 20;

    public static bool TrySettle(in DecisionState s, long nowMs, DaemonConfig config, out SettleCause cause)
    {
        cause = default;
        if (s.Phase == VictimPhase.None || s.PendingAction != PendingAction.None)
        {
            return false;
        }
        if (s.Phase == VictimPhase.Terminating && !s.VictimExited)
        {
            // The grace is the escalation's business; the settle clock starts at SIGKILL or at the exit.
            return false;
        }
        if (s.VictimExited && s.LiveSharers == 0)
        {
            cause = SettleCause.Exited;
            return true;
        }
        if (s.Reap == ReapState.Released)
        {
            if (!IsShmemHeavy(s))
            {
                cause = SettleCause.Reaped;
                return true;
            }
            if (nowMs - s.ReapAnsweredMs >= config.ShmemExitWaitMs)
            {
                cause = SettleCause.ReapedShmemExit;
                return true;
            }
        }
        if (s.Reap == ReapState.ReleasedExitPending && nowMs - s.ReapAnsweredMs >= config.ShmemExitWaitMs)
        {
            // Reaped beside its own exit, which has not ended within the short wait: the reap's 0 stands. Never "stuck":
            // the exit may be past exit_mmap (closing files), or a sharer may hold the mm the reap already emptied.
            cause = IsShmemHeavy(s) ? SettleCause.ReapedShmemExit : SettleCause.Reaped;
            return true;
        }
        if (s.Reap == ReapState.NoMm && nowMs - s.ProgressAtMs >= config.StuckGraceMs)
        {
            cause = SettleCause.StuckInMmput;
            return true;
        }
        long clockStartMs = s.Phase == VictimPhase.Killed ? s.KillSentMs : s.VictimExitedMs;
        if (nowMs - clockStartMs >= config.SettleTimeoutMs)
        {
            cause = config.DryRun ? SettleCause.DryRun : SettleCause.Timeout;
            return true;
        }
        return false;
    }

    /// <summary>More shmem than what the reap frees: process_mrelease alone gives back less than half of it.</summary>
    public static bool IsShmemHeavy(in DecisionState s) => s.ShmemBytes > s.HeldBytes;

    /// <summary>How much available memory must rise to count as progress of an exit after ESRCH.</summary>
    public static long ProgressQuantumBytes(in DecisionState s) => Math.Max(s.HeldBytes / 32, MinProgressBytes);

    /// <summary>Whether a settle cause keeps the victim from being chosen again.</summary>
    public static bool Excludes(SettleCause cause) => cause is SettleCause.Timeout or SettleCause.StuckInMmput;

    /// <summary>Milliseconds until the next deadline of the victim in flight (grace, shmem wait, stuck grace, settle timeout).</summary>
    public static long MsUntilDeadline(in DecisionState s, long nowMs, DaemonConfig config)
    {
        if (s.Phase == VictimPhase.None)
        {
            return long.MaxValue;
        }
        if (s.Phase == VictimPhase.Terminating && !s.VictimExited)
        {
            return s.TermSentMs + config.GraceMs - nowMs;
        }
        long clockStartMs = s.Phase == VictimPhase.Killed ? s.KillSentMs : s.VictimExitedMs;
        long deadline = clockStartMs + config.SettleTimeoutMs;
        if (s.Reap is ReapState.Released or ReapState.ReleasedExitPending)
        {
            deadline = Math.Min(deadline, s.ReapAnsweredMs + config.ShmemExitWaitMs);
        }
        if (s.Reap == ReapState.NoMm)
        {
            deadline = Math.Min(deadline, s.ProgressAtMs + config.StuckGraceMs);
        }
        return deadline - nowMs;
    }
}
