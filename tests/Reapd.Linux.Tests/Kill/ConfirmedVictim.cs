using Reapd.Core.Proc;
using Reapd.Linux.Kill;
using Reapd.Linux.Proc;

namespace Reapd.Linux.Tests.Kill;

/// <summary>A live process of the test's own, opened as the victim the way the actuator opens one (its start time read first).</summary>
internal static class ConfirmedVictim
{
    public static Victim Open(ProcessReader reader, int pid)
    {
        Assert.Equal(ProcReadOutcome.Ok, reader.TryReadStat(pid, out ProcStat stat));
        Assert.Equal(VictimOpenOutcome.Confirmed, Victim.TryOpen(pid, stat.StartTimeTicks, reader, out Victim? victim, Environment.ProcessId));
        return victim!;
    }
}
