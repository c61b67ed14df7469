using Reapd.Core.Daemon;
using Reapd.Core.Decision;
using Reapd.Core.Replay;

namespace Reapd.Core.Tests.Replay;

/// <summary>
/// The thresholds per resource in a recording: a sample's some-stall share, both stall durations, the raw SwapFree,
/// the lower-bound mark and the per-CPU list credit come back from the file, so an emergency decided on a duration-gated some stall replays
/// to the same commands.
/// </summary>
public sealed class ThresholdRecordingTests
{
    private const long MiB = 1L << 20;

    [Fact]
    public void A_some_stall_held_for_its_duration_replays_to_the_recorded_commands_and_keeps_every_sample_field()
    {
        var config = new DaemonConfig { PsiSomePercent = 40, PsiSomeDurationMs = 2000, PsiFullDurationMs = 5000 };
        var core = new DecisionCore(config);
        var tap = new MemoryTap(config);
        core.Tap = tap;
        var live = new List<Command>();
        var sent = new List<MemorySample>();
        for (long t = 0; t <= 3000 && core.State.Phase == VictimPhase.None; t += 500)
        {
            MemorySample sample = new MemorySample(1_000_000 + t, 600 * MiB, 1024 * MiB, 100 * MiB, 512 * MiB, new PsiReading(true, 1000 * t, 10 * t, 45, 1))
            {
                PsiFullWindowPercent = 2, PsiFullHeldMs = -1, PsiSomeWindowPercent = 45, PsiSomeHeldMs = t,
                RawSwapFreeBytes = 300 * MiB, AvailableIsLowerBound = t == 0, ListCreditBytes = t == 1000 ? 40 * MiB : 0,
            };
            sent.Add(sample);
            core.OnSample(sample);
            while (core.Commands.TryDequeue(out Command command))
            {
                live.Add(command);
                if (command.Kind == CommandKind.Scan)
                {
                    core.OnScanned([new RankedVictim(new VictimId(4242, 777), 500 * MiB, 0)], sample.TimeMs);
                }
                else if (command.Kind == CommandKind.Signal)
                {
                    core.OnSignalled(SignalResult.Sent, 0, sample.TimeMs);
                }
            }
        }
        Assert.Equal(VictimPhase.Killed, core.State.Phase);
        Assert.Contains(live, c => c.Kind == CommandKind.Report && c.Report.Reason == DecisionReason.PsiSomeStall);

        Recording recording = RecordReader.TryRead(tap.Bytes, out string? error) ?? throw new InvalidOperationException(error);
        Assert.Equal(sent, recording.Events.Where(e => e.Kind == RecordKind.Sample).Select(e => e.Sample).ToList());
        DaemonConfig recorded = RecordedConfig.TryRead(recording.Header, out error) ?? throw new InvalidOperationException(error);
        ReplayOutcome outcome = Replayer.Run(recording, recorded);
        Assert.Null(outcome.FirstDivergence);
        Assert.Equal(live, outcome.Commands.Select(c => c.Command).ToList());
        // Without the duration the same samples kill at the first one: the replay with other settings diverges.
        Assert.NotNull(Replayer.Run(recording, recorded with { PsiSomeDurationMs = 0 }).FirstDivergence);
    }
}
