using Reapd.Core.Daemon;
using Reapd.Core.Decision;

namespace Reapd.Core.Tests.Decision;

/// <summary>
/// Feeds a DecisionCore and keeps every command it emitted, in order, for the tables. A 1000 MiB scope, no swap:
/// the term line is at 100 MiB, the kill line at 50 MiB.
/// </summary>
internal sealed class CoreDriver
{
    public const long MiB = 1L << 20;

    public CoreDriver(DaemonConfig? config = null)
    {
        Core = new DecisionCore(config ?? new DaemonConfig { PsiFullPercent = null });
    }

    public DecisionCore Core { get; }

    public List<Command> Emitted { get; } = [];

    public ref readonly DecisionState State => ref Core.State;

    public static MemorySample At(long timeMs, long availableMiB) =>
        new(timeMs, availableMiB * MiB, 1000 * MiB, 0, 0, PsiReading.None);

    public static RankedVictim Ranked(VictimId id, long heldMiB, long shmemMiB = 0) => new(id, heldMiB * MiB, shmemMiB * MiB);

    /// <summary>Feeds a sample and returns the commands it produced.</summary>
    public List<Command> Sample(long timeMs, long availableMiB)
    {
        Core.OnSample(At(timeMs, availableMiB));
        return Drain();
    }

    public List<Command> Scanned(long timeMs, params RankedVictim[] ranked)
    {
        Core.OnScanned(ranked, timeMs);
        return Drain();
    }

    public List<Command> Signalled(long timeMs, SignalResult result, int liveSharers = 0)
    {
        Core.OnSignalled(result, liveSharers, timeMs);
        return Drain();
    }

    public List<Command> ReapAnswered(long timeMs, ReapObservation observation)
    {
        Core.OnReapAnswered(observation, timeMs);
        return Drain();
    }

    public List<Command> Exited(long timeMs, bool victim, int liveSharers = 0)
    {
        Core.OnExited(victim, liveSharers, timeMs);
        return Drain();
    }

    /// <summary>Kill level at <paramref name="timeMs"/>, the scan offers <paramref name="ranked"/>, the SIGKILL is sent.</summary>
    public void KillAt(long timeMs, long availableMiB, params RankedVictim[] ranked)
    {
        Sample(timeMs, availableMiB);
        Scanned(timeMs, ranked);
        Signalled(timeMs, SignalResult.Sent);
    }

    private List<Command> Drain()
    {
        var produced = new List<Command>();
        while (Core.Commands.TryDequeue(out Command command))
        {
            produced.Add(command);
        }
        Emitted.AddRange(produced);
        return produced;
    }
}

internal static class CommandListExtensions
{
    /// <summary>The commands as short words, for readable assertions: "report:trigger scan:choose signal:sigkill:4242".</summary>
    public static string Words(this IEnumerable<Command> commands) => string.Join(' ', commands.Select(Word));

    private static string Word(Command c) => c.Kind switch
    {
        CommandKind.Scan => $"scan:{c.Purpose.ToString().ToLowerInvariant()}",
        CommandKind.Signal => $"signal:{c.Signal.ToString().ToLowerInvariant()}:{c.Victim.Pid}",
        CommandKind.Report when c.Report.Kind == ReportKind.Settled => $"report:settled:{c.Report.Cause.ToString().ToLowerInvariant()}",
        CommandKind.Report => $"report:{c.Report.Kind.ToString().ToLowerInvariant()}",
        CommandKind.RestartStallWindow => "restart-stall",
        _ => $"{c.Kind.ToString().ToLowerInvariant()}:{c.Victim.Pid}",
    };
}
