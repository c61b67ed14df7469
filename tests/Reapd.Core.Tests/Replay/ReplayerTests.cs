using CsCheck;
using Reapd.Core.Daemon;
using Reapd.Core.Decision;
using Reapd.Core.Replay;
using Reapd.Testing;

using static Reapd.Core.Tests.Replay.RecordedEmergency;

namespace Reapd.Core.Tests.Replay;

/// <summary>
/// Record and replay on the pure core: an emergency driven through a recording <see cref="DecisionCore"/> as the
/// actuator would drive it, read back, and replayed with the same and with other levels.
/// </summary>
public sealed class ReplayerTests
{
    [Fact]
    public void A_recorded_emergency_replays_to_exactly_the_recorded_commands_with_the_recorded_configuration()
    {
        var config = new DaemonConfig();
        (byte[] file, List<Command> live) = RecordEmergency(config);

        Recording recording = RecordReader.TryRead(file, out string? error) ?? throw new InvalidOperationException(error);
        DaemonConfig recorded = RecordedConfig.TryRead(recording.Header, out error) ?? throw new InvalidOperationException(error);
        ReplayOutcome outcome = Replayer.Run(recording, recorded);

        Assert.Null(outcome.FirstDivergence);
        Assert.Equal(live, outcome.Commands.Select(c => c.Command).ToList());
        Assert.Equal(recording.Events.Count(e => e.IsInput), outcome.InputsReplayed);
        Assert.Contains(outcome.Commands, c => c.Command is { Kind: CommandKind.Signal, Signal: KillSignal.SigKill } && c.Command.Victim == Hog);
        Assert.Equal(config, recorded with { ProtectedNames = config.ProtectedNames, Rules = config.Rules });
    }

    [Fact]
    public void A_lower_term_level_diverges_at_the_sample_that_triggered_and_says_what_each_side_did()
    {
        (byte[] file, _) = RecordEmergency(new DaemonConfig());
        Recording recording = RecordReader.TryRead(file, out string? error) ?? throw new InvalidOperationException(error);

        ReplayOutcome outcome = Replayer.Run(recording, new DaemonConfig { TermPercent = 2, KillPercent = 1 });

        Divergence divergence = Assert.IsType<Divergence>(outcome.FirstDivergence);
        Assert.Equal(RecordKind.Sample, divergence.Input.Kind);
        // The recording triggered at 8 % available; at a 2 % term level that sample is quiet.
        Assert.Equal(80 * MiB, divergence.Input.Sample.AvailableBytes, 50 * MiB);
        Assert.Contains(divergence.Recorded, c => c is { Kind: CommandKind.Report, Report.Kind: ReportKind.Trigger });
        Assert.Empty(divergence.Replayed);
    }

    [Fact]
    public void A_higher_kill_level_diverges_where_the_recording_sent_SIGTERM_and_the_replay_SIGKILL()
    {
        (byte[] file, _) = RecordEmergency(new DaemonConfig());
        Recording recording = RecordReader.TryRead(file, out string? error) ?? throw new InvalidOperationException(error);

        ReplayOutcome outcome = Replayer.Run(recording, new DaemonConfig { TermPercent = 10, KillPercent = 9.9 });

        Divergence divergence = Assert.IsType<Divergence>(outcome.FirstDivergence);
        Command recordedTrigger = divergence.Recorded.First(c => c.Kind == CommandKind.Report);
        Command replayedTrigger = divergence.Replayed.First(c => c.Kind == CommandKind.Report);
        Assert.Equal(DecisionKind.Terminate, recordedTrigger.Report.Decision);
        Assert.Equal(DecisionKind.Kill, replayedTrigger.Report.Decision);
    }

    [Fact]
    public void Quiet_samples_dropped_from_a_recording_do_not_change_its_replay_with_the_same_configuration()
    {
        var config = new DaemonConfig();
        (byte[] file, List<Command> live) = RecordEmergency(config);
        Recording full = RecordReader.TryRead(file, out string? error) ?? throw new InvalidOperationException(error);
        // What the daemon's recorder leaves out: samples that found the core idle and made it emit nothing.
        var kept = new List<RecordedEvent>();
        for (int i = 0; i < full.Events.Count; i++)
        {
            RecordedEvent e = full.Events[i];
            bool emittedNothing = i + 1 == full.Events.Count || full.Events[i + 1].Kind != RecordKind.Command;
            if (e.Kind != RecordKind.Sample || e.Busy || !emittedNothing)
            {
                kept.Add(e);
            }
        }
        Assert.True(kept.Count < full.Events.Count);

        ReplayOutcome outcome = Replayer.Run(full with { Events = kept }, config);

        Assert.Null(outcome.FirstDivergence);
        Assert.Equal(live, outcome.Commands.Select(c => c.Command).ToList());
    }

    [Theory]
    [InlineData("cut inside the last record", "truncated at byte")]
    [InlineData("wrong magic", "not a reapd recording")]
    [InlineData("other version", "format version 9")]
    [InlineData("unknown record type", "unknown record type 200")]
    [InlineData("cut inside the header", "the header is cut short")]
    [InlineData("bad enum value", "SignalResult value 77 is unknown")]
    public void A_damaged_recording_is_one_description_with_the_byte_offset_and_never_an_exception(string damage, string expected)
    {
        (byte[] file, _) = RecordEmergency(new DaemonConfig());
        byte[] damaged = damage switch
        {
            "cut inside the last record" => file[..^1],
            "wrong magic" => [(byte)'X', .. file[1..]],
            "other version" => [.. file[..8], 9, .. file[9..]],
            "unknown record type" => [.. file, 200, 0],
            "cut inside the header" => file[..20],
            _ => [.. file, (byte)RecordKind.Signalled, 3, 2, 154, 1],
        };

        Recording? recording = RecordReader.TryRead(damaged, out string? error);

        Assert.Null(recording);
        Assert.Contains(expected, error, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error!);
    }

    [Fact]
    public void Random_damage_to_a_recording_never_throws_and_never_allocates_beyond_its_size()
    {
        (byte[] file, _) = RecordEmergency(new DaemonConfig());
        Gen.Select(Gen.Int[0, file.Length - 1], Gen.Byte, Gen.Int[0, file.Length]).Sample((at, value, cut) =>
        {
            byte[] damaged = file[..cut];
            if (at < damaged.Length)
            {
                damaged[at] = value;
            }
            Recording? recording = null;
            string? error = null;
            // A count in the file never makes the reader allocate more than the file could hold. Measured with the
            // bracket (ThreadAllocation); a read that fills more than one allocation context cannot be vouched for and
            // its last reading stands, as the raw counter's did.
            long allocated = ThreadAllocation.Measure(() => recording = RecordReader.TryRead(damaged, out error));
            Assert.True(allocated < 64L * 1024 + (200L * damaged.Length), $"{allocated} bytes for a file of {damaged.Length}");
            Assert.True(recording is not null || error is not null);
            if (recording is not null && RecordedConfig.TryRead(recording.Header, out _) is DaemonConfig config)
            {
                _ = Replayer.Run(recording, config);
            }
        }, seed: "0N0XIzNsQ0O2", iter: 3_000, threads: 1);
    }

    private static (byte[] File, List<Command> Live) RecordEmergency(DaemonConfig config) => RecordedEmergency.Record(config, names: false);
}
