using Reapd.Core.Daemon;
using Reapd.Core.Decision;
using Reapd.Core.Replay;

using static Reapd.Core.Tests.Replay.RecordedEmergency;

namespace Reapd.Core.Tests.Replay;

/// <summary>
/// Reloads and adoptions in a recording: the core's Reconfigure and AdoptInFlight reach the tap, the records read back,
/// and a replay repeats them, so a run that reloaded mid-emergency or adopted a victim at start replays to the same
/// decisions (and a replay that ignores the reload does not).
/// </summary>
public sealed class ReloadAdoptionReplayTests
{
    [Fact]
    public void A_reload_in_the_grace_is_recorded_and_the_replay_decides_with_the_new_settings_from_there()
    {
        var start = new DaemonConfig { GraceMs = 60_000 };
        var core = new DecisionCore(start);
        var tap = new MemoryTap(start);
        core.Tap = tap;
        var live = new List<Command>();
        long now = 1_000_000;
        RankedVictim[] ranked = [new(Hog, 500 * MiB, 0), new(Bystander, 16 * MiB, 0)];
        void Sample(long availableMiB)
        {
            core.OnSample(new MemorySample(now, availableMiB * MiB, TotalBytes, 0, 0, PsiReading.None));
            while (core.Commands.TryDequeue(out Command command))
            {
                live.Add(command);
                if (command.Kind == CommandKind.Scan)
                {
                    core.OnScanned(ranked, now);
                }
                else if (command.Kind == CommandKind.Signal)
                {
                    core.OnSignalled(SignalResult.Sent, 0, now);
                }
            }
            now += 100;
        }

        // 8 % available: a SIGTERM, and a minute of grace the hog sits out at 7 %.
        Sample(200);
        Sample(82);
        Sample(72);
        Assert.Equal(VictimPhase.Terminating, core.State.Phase);
        // The reload raises the kill level above the reading: the next sample escalates to SIGKILL.
        tap.NowMs = now;
        core.Reconfigure(start with { KillPercent = 8, TermPercent = 10 });
        Sample(72);
        Assert.Equal(VictimPhase.Killed, core.State.Phase);

        Recording recording = RecordReader.TryRead(tap.Bytes, out string? error) ?? throw new InvalidOperationException(error);
        RecordedEvent reload = Assert.Single(recording.Events, e => e.Kind == RecordKind.Reconfigured);
        Assert.Equal(8, reload.Config!.KillPercent);
        Assert.Equal(now - 100, reload.TimeMs);
        DaemonConfig recorded = RecordedConfig.TryRead(recording.Header, out error) ?? throw new InvalidOperationException(error);

        ReplayOutcome followed = Replayer.Run(recording, recorded);
        Assert.Null(followed.FirstDivergence);
        Assert.Equal(live, followed.Commands.Select(c => c.Command).ToList());

        // Without the reload the replayed core is still in its grace where the recording escalated.
        ReplayOutcome ignored = Replayer.Run(recording, recorded, followReloads: false);
        Divergence divergence = Assert.IsType<Divergence>(ignored.FirstDivergence);
        Assert.Contains(divergence.Recorded, c => c is { Kind: CommandKind.Report, Report: { Kind: ReportKind.Trigger, Decision: DecisionKind.Escalate } });
        Assert.Empty(divergence.Replayed);
    }

    [Theory]
    [InlineData(VictimPhase.Terminating)]
    [InlineData(VictimPhase.Killed)]
    public void An_adopted_victim_is_recorded_and_the_replay_adopts_it_too(VictimPhase phase)
    {
        var config = new DaemonConfig { GraceMs = 1_000 };
        var core = new DecisionCore(config);
        var tap = new MemoryTap(config);
        core.Tap = tap;
        var live = new List<Command>();
        long now = 5_000_000;
        void Drain()
        {
            while (core.Commands.TryDequeue(out Command command))
            {
                live.Add(command);
                if (command.Kind == CommandKind.Signal)
                {
                    core.OnSignalled(SignalResult.Sent, 0, now);
                }
            }
        }

        core.AdoptInFlight(Hog, phase, now - 400, 500 * MiB, 70 * MiB, now);
        Drain();
        for (int i = 0; i < 10; i++)
        {
            core.OnSample(new MemorySample(now, 70 * MiB, TotalBytes, 0, 0, PsiReading.None));
            Drain();
            now += 100;
        }
        core.OnReapAnswered(ReapObservation.Released, now);
        Drain();
        core.OnSample(new MemorySample(now, 600 * MiB, TotalBytes, 0, 0, PsiReading.None));
        Drain();
        Assert.Equal(VictimPhase.None, core.State.Phase);
        Assert.Contains(live, c => c.Kind == CommandKind.Reap && c.Victim == Hog);

        Recording recording = RecordReader.TryRead(tap.Bytes, out string? error) ?? throw new InvalidOperationException(error);
        RecordedEvent adopted = recording.Events[0];
        Assert.Equal((RecordKind.Adopted, Hog, phase, 5_000_000 - 400L), (adopted.Kind, adopted.Victim, adopted.Phase, adopted.SignalledMs));
        ReplayOutcome outcome = Replayer.Run(recording, RecordedConfig.TryRead(recording.Header, out _)!);

        Assert.Null(outcome.FirstDivergence);
        Assert.Equal(live, outcome.Commands.Select(c => c.Command).ToList());
        // Without the adoption record the reap answer would answer nothing the fresh core asked.
        Recording without = recording with { Events = [.. recording.Events.Skip(1)] };
        Assert.NotNull(Replayer.Run(without, RecordedConfig.TryRead(recording.Header, out _)!).FirstDivergence);
    }
}
