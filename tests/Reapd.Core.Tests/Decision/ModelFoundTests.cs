using Reapd.Core.Daemon;
using Reapd.Core.Decision;

namespace Reapd.Core.Tests.Decision;

/// <summary>
/// Cases the model checker found (docs/model.md, "What the model found"), replayed on the core alone.
/// </summary>
public sealed class ModelFoundTests
{
    private const long GiB = 1L << 30;
    private static readonly VictimId s_lingering = new(100, 1);
    private static readonly VictimId s_allocator = new(200, 1);

    /// <summary>
    /// reapd model-check --variant reapd, L2 (no-kill), scenario exit=fuse-stuck shmem=1: a victim whose memory is
    /// mostly shmem, held by a thread stuck on FUSE. process_mrelease frees its anonymous memory; its exit never
    /// comes, so its shmem stays mapped and the gate opens after the shmem wait. It is not excluded, still ranks first
    /// by its shmem, and is chosen again — SIGTERM, grace, SIGKILL, reap, shmem wait — forever, while the allocator
    /// that keeps memory at the term line is never chosen. The kernel's MMF_OOM_SKIP keeps a reaped mm from being
    /// chosen again.
    /// </summary>
    [Fact]
    public void A_reaped_victim_that_lingers_with_its_shmem_is_not_chosen_again()
    {
        var core = new DecisionCore(new DaemonConfig());
        long now = 0;
        MemorySample AtTermLevel() => new(now, 10 * GiB, 100 * GiB, 0, 0, PsiReading.None);

        core.OnSample(AtTermLevel());
        Assert.Equal(PendingAction.ChooseToTerminate, core.State.PendingAction);
        core.Commands.Clear();
        core.OnScanned([new RankedVictim(s_lingering, 1 * GiB, 2 * GiB), new RankedVictim(s_allocator, 2 * GiB, 0)], now);
        Assert.Equal(s_lingering, core.State.Victim);
        core.Commands.Clear();
        core.OnSignalled(SignalResult.Sent, 0, now);

        now += core.Config.GraceMs;
        core.OnSample(AtTermLevel());
        Assert.Equal(PendingAction.Signal, core.State.PendingAction);
        core.Commands.Clear();
        core.OnSignalled(SignalResult.Sent, 0, now);
        core.OnReapAnswered(ReapObservation.Released, now);
        core.Commands.Clear();

        now += core.Config.ShmemExitWaitMs;
        core.OnSample(AtTermLevel());
        Assert.False(core.State.Phase == VictimPhase.Killed, "the gate opens after the shmem wait");
        Assert.Equal(PendingAction.ChooseToTerminate, core.State.PendingAction);
        core.Commands.Clear();
        // Reaped and still there: no anonymous memory left, its shmem still ranks it first.
        core.OnScanned([new RankedVictim(s_lingering, 0, 2 * GiB), new RankedVictim(s_allocator, 2 * GiB, 0)], now);

        Assert.NotEqual(s_lingering, core.State.Victim);
    }
}
