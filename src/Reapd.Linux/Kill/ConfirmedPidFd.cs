using Reapd.Core.Proc;
using Reapd.Linux.Proc;

namespace Reapd.Linux.Kill;

/// <summary>
/// Takes over a process another reapd instance named by pid and start time (its state file): the pidfd is opened
/// first, then the start time is read again, so the handle reaches the process meant or is not kept at all.
/// </summary>
internal static class ConfirmedPidFd
{
    /// <summary>True with the open pidfd and the stat read after it; false (nothing left open) when the process is gone or another one has its number now.</summary>
    public static bool TryOpen(ProcessReader reader, int pid, ulong startTimeTicks, out PidFdHandle? pidfd, out ProcStat stat)
    {
        stat = default;
        if (PidFdSyscalls.Open(pid, out pidfd) != PidFdOpenOutcome.Opened)
        {
            pidfd = null;
            return false;
        }
        if (reader.TryReadStat(pid, out stat) != ProcReadOutcome.Ok || stat.StartTimeTicks != startTimeTicks)
        {
            pidfd!.Dispose();
            pidfd = null;
            return false;
        }
        return true;
    }
}
