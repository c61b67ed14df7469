using Reapd.Core.Daemon;

namespace Reapd.Model.Daemon;

/// <summary>
/// The units that keep the daemon model finite: memory in units of 1 GiB (8 in all; the term line at 25 % is 2 units,
/// the kill line at 12.5 % is 1), time in ticks of 1 s, and the configuration's durations as a few ticks. The clock
/// the core sees is <see cref="BaseMs"/> plus whole ticks; every time the core stores is kept relative to now and
/// clamped at <see cref="MaxAgeTicks"/>, the largest deadline, past which no comparison of the core changes.
/// </summary>
internal static class ModelScale
{
    public const long UnitBytes = 1L << 30;
    public const int TotalUnits = 8;
    public const long TickMs = 1000;

    /// <summary>The settle timeout, the longest deadline of the production configuration: the model's horizon.</summary>
    public const int MaxAgeTicks = 3;

    /// <summary>"Now" whenever the core's state is restored; far enough from 0 that every clamped age fits.</summary>
    public const long BaseMs = 1_000_000;

    public const int TermUnits = 2;
    public const int KillUnits = 1;

    /// <summary>
    /// The production defaults scaled: grace 2 ticks, settle timeout 3, stuck grace 2, shmem exit wait 1, reap-slow
    /// report 1 (the no-candidate back-off is the core's own 1 s, one tick). No PSI, no swap.
    /// </summary>
    public static DaemonConfig Config(bool withoutTimeouts) => new()
    {
        TermPercent = 25,
        KillPercent = 12.5,
        GraceMs = 2 * TickMs,
        SettleTimeoutMs = withoutTimeouts ? long.MaxValue / 4 : MaxAgeTicks * TickMs,
        StuckGraceMs = withoutTimeouts ? long.MaxValue / 4 : 2 * TickMs,
        ShmemExitWaitMs = 1 * TickMs,
        ReapSlowReportMs = 1 * TickMs,
        PsiFullPercent = null,
    };

    public static long Bytes(int units) => units * UnitBytes;

    /// <summary>Bytes back to units; a figure that is not a whole number of units is a broken model assumption.</summary>
    public static int Units(long bytes) => bytes % UnitBytes == 0 && bytes / UnitBytes is >= -1 and <= 100
        ? (int)(bytes / UnitBytes)
        : throw new ModelAbstractionException($"the core holds {bytes} bytes, not a whole number of model units");
}
