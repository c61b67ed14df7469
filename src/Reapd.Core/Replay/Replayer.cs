using Reapd.Core.Daemon;
using Reapd.Core.Decision;

namespace Reapd.Core.Replay;

/// <summary>
/// Feeds a recording's inputs to a fresh <see cref="DecisionCore"/> with the recorded or another configuration and
/// compares, input by input, the commands it emits with the commands the recording holds for that input. The
/// recorded answers (the scan's ranking, a signal's outcome, the reap's answer, an exit) belong to the recorded
/// commands: once the replayed core asks for something else, nothing recorded answers it. So the replay stops at the
/// first divergence and reports it; what the other configuration would have done after that is not knowable from
/// the recording. Reloads recorded in the file give the core their settings at the point they happened (unless
/// <paramref name="followReloads"/> is false: a configuration given for the whole replay replaces them); an adoption
/// recorded at the start is repeated on the fresh core.
/// </summary>
public static class Replayer
{
    public static ReplayOutcome Run(Recording recording, DaemonConfig config, bool followReloads = true)
    {
        ArgumentNullException.ThrowIfNull(recording);
        var core = new DecisionCore(config);
        var emitted = new List<(long, Command)>();
        var recorded = new List<Command>();
        var replayed = new List<Command>();
        IReadOnlyList<RecordedEvent> events = recording.Events;
        int inputsRecorded = events.Count(e => e.IsInput);
        long dropped = 0;
        int inputNumber = 0;
        for (int i = 0; i < events.Count; i++)
        {
            RecordedEvent input = events[i];
            if (input.Kind == RecordKind.Dropped)
            {
                dropped += input.DroppedRecords;
                continue;
            }
            if (input.Kind == RecordKind.Reconfigured)
            {
                if (followReloads)
                {
                    core.Reconfigure(input.Config!);
                }
                continue;
            }
            if (!input.IsInput)
            {
                // A command before any input: the recording starts mid-answer (a rotated segment). Nothing to compare it with.
                continue;
            }
            inputNumber++;
            recorded.Clear();
            for (int j = i + 1; j < events.Count && events[j].Kind == RecordKind.Command; j++)
            {
                recorded.Add(events[j].Command);
            }
            replayed.Clear();
            string? note = null;
            try
            {
                Feed(core, input);
            }
            catch (InvalidOperationException refused)
            {
                // The recorded answer is to a question the replayed core did not ask (records were dropped, or the
                // segment started mid-emergency).
                note = refused.Message;
            }
            while (core.Commands.TryDequeue(out Command command))
            {
                replayed.Add(command);
                emitted.Add((input.TimeMs, command));
            }
            if (note is not null || !recorded.SequenceEqual(replayed))
            {
                return new ReplayOutcome(emitted, inputNumber, inputsRecorded, dropped,
                    new Divergence(input, inputNumber, [.. recorded], [.. replayed], note));
            }
        }
        return new ReplayOutcome(emitted, inputNumber, inputsRecorded, dropped, null);
    }

    private static void Feed(DecisionCore core, RecordedEvent input)
    {
        switch (input.Kind)
        {
            case RecordKind.Sample:
                core.OnSample(input.Sample);
                break;
            case RecordKind.Scanned:
                core.OnScanned(input.Ranked, input.TimeMs);
                break;
            case RecordKind.Signalled:
                core.OnSignalled(input.Signal, input.LiveSharers, input.TimeMs);
                break;
            case RecordKind.ReapAnswered:
                core.OnReapAnswered(input.Reap, input.TimeMs);
                break;
            case RecordKind.Exited:
                core.OnExited(input.VictimExited, input.LiveSharers, input.TimeMs);
                break;
            case RecordKind.Adopted:
                core.AdoptInFlight(input.Victim, input.Phase, input.SignalledMs, input.HeldBytes, input.AvailableBytes, input.TimeMs);
                break;
        }
    }
}
