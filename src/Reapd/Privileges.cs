using Reapd.Core.Proc;
using Reapd.Linux.Proc;

namespace Reapd;

/// <summary>
/// The capabilities reapd needs to act, checked from CapEff before anything is signalled, so that a missing one is
/// one clear line instead of a kill that fails half-way: CAP_KILL to signal other users' processes through their
/// pidfds, CAP_SYS_PTRACE for kcmp(KCMP_VM) on them (PTRACE_MODE_READ) when looking for the victim's mm sharers.
/// Root has both; a systemd unit can grant them without root.
/// </summary>
internal static class Privileges
{
    private const int CAP_KILL = 5;
    private const int CAP_SYS_PTRACE = 19;

    /// <summary>What is missing ("CAP_KILL and CAP_SYS_PTRACE"), or null when nothing is.</summary>
    public static string? MissingToAct(ProcessReader reader)
    {
        if (reader.TryReadStatus(Environment.ProcessId, out ProcStatus self) != ProcReadOutcome.Ok)
        {
            return "a readable /proc/self/status";
        }
        bool kill = (self.CapEff & (1UL << CAP_KILL)) != 0;
        bool ptrace = (self.CapEff & (1UL << CAP_SYS_PTRACE)) != 0;
        return (kill, ptrace) switch
        {
            (true, true) => null,
            (false, true) => "CAP_KILL",
            (true, false) => "CAP_SYS_PTRACE",
            _ => "CAP_KILL and CAP_SYS_PTRACE",
        };
    }
}
