using Reapd.Core.Daemon;
using Reapd.Core.Selection;

namespace Reapd.Core.Decision;

/// <summary>
/// Sees every input of a <see cref="DecisionCore"/> as it arrives, and every command it emits as it is enqueued, in
/// that order: `reapd run --record` writes them to a file that `reapd replay` feeds to a fresh core (docs/reliability.md,
/// "Record and replay"). Called on the loop thread, inside the core's input: an implementation must not block and
/// must not allocate (the quiet cycle allocates nothing, the recorder included).
/// </summary>
public interface IDecisionTap
{
    /// <summary>A sample arrived. <paramref name="busy"/>: a victim is in flight or an answer is awaited.</summary>
    void Sampled(in MemorySample sample, bool busy);

    void Scanned(ReadOnlySpan<RankedVictim> ranked, long nowMs);

    void Signalled(SignalResult result, int liveSharers, long nowMs);

    void ReapAnswered(ReapObservation observation, long nowMs);

    void Exited(bool victimExited, int liveSharers, long nowMs);

    /// <summary>
    /// The names of the candidates in the scan answer that follows, in its order (the actuator calls it right before
    /// <see cref="DecisionCore.OnScanned"/>): a recording keeps them so that a replay with other protect rules can
    /// match them. A tap that does not record names ignores them.
    /// </summary>
    void ScanNames(ReadOnlySpan<Candidate> candidates)
    {
    }

    /// <summary>A command was enqueued for the actuator.</summary>
    void Emitted(in Command command);

    /// <summary>The core was given new settings (a reload), which it decides with from its next input on.</summary>
    void Reconfigured(DaemonConfig config)
    {
    }

    /// <summary>The core started with a victim adopted from a previous instance (the arguments of <see cref="DecisionCore.AdoptInFlight"/>).</summary>
    void Adopted(VictimId victim, VictimPhase phase, long signalledMs, long heldBytes, long availableBytes, long nowMs)
    {
    }
}
