using Reapd.Core.Daemon;
using Reapd.Core.Decision;
using Reapd.Core.Replay;

namespace Reapd.Core.Tests.Replay;

/// <summary>
/// The emergency the replay tests record: a hog ramps a 1 GiB scope down through the term level (SIGTERM, which it
/// ignores) and the kill level (SIGKILL, reap), the reap is answered, its pidfd becomes readable, the memory comes back
/// and the victim settles.
/// </summary>
internal static class RecordedEmergency
{
    public const long MiB = 1L << 20;
    public const long TotalBytes = 1024 * MiB;
    public static readonly VictimId Hog = new(4242, 777);
    public static readonly VictimId Bystander = new(4343, 888);

    /// <summary>
    /// Runs the emergency through a real <see cref="DecisionCore"/> under <paramref name="config"/>; with
    /// <paramref name="names"/> the processes' names are recorded before each scan answer (what the rules of a what-if
    /// run match). Returns the recording and the commands the core gave.
    /// </summary>
    public static (byte[] File, List<Command> Live) Record(DaemonConfig config, bool names)
    {
        var core = new DecisionCore(config);
        var tap = new MemoryTap(config);
        core.Tap = tap;
        var live = new List<Command>();
        long now = 1_000_000;
        long available = 600 * MiB;
        RankedVictim[] ranked = [new(Hog, 500 * MiB, 0), new(Bystander, 16 * MiB, 0)];

        void Drain()
        {
            while (core.Commands.TryDequeue(out Command command))
            {
                live.Add(command);
                switch (command.Kind)
                {
                    case CommandKind.Scan:
                        if (names)
                        {
                            tap.ScanNames("hog", "bystander");
                        }
                        core.OnScanned(ranked, now);
                        break;
                    case CommandKind.Signal:
                        core.OnSignalled(SignalResult.Sent, 0, now);
                        break;
                }
            }
        }

        void Sample()
        {
            core.OnSample(new MemorySample(now, available, TotalBytes, 0, 0, PsiReading.None));
            Drain();
        }

        for (int i = 0; i < 60 && available > 30 * MiB; i++)
        {
            Sample();
            now += 10;
            available -= 10 * MiB;
        }
        Assert.Equal(VictimPhase.Killed, core.State.Phase);
        now += 5;
        core.OnReapAnswered(ReapObservation.Released, now);
        Drain();
        available = 700 * MiB;
        Sample();
        now += 20;
        core.OnExited(true, 0, now);
        Drain();
        for (int i = 0; i < 5; i++)
        {
            now += 10;
            Sample();
        }
        Assert.Equal(VictimPhase.None, core.State.Phase);
        return (tap.Bytes, live);
    }
}
