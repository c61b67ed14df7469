using System.Globalization;

namespace Reapd.Linux.Kill;

/// <summary>
/// What <see cref="OomGroup.Kill"/> did: the outcome, the group (its path in the cgroup2 hierarchy, as
/// /proc/PID/cgroup names it), how many processes were in its subtree when it was checked, the member that stopped
/// the kill (ProtectedMember) and the errno (Failed).
/// </summary>
public readonly record struct OomGroupKill(OomGroupKillOutcome Outcome, string Group, int Processes, int ProtectedPid, int Errno)
{
    /// <summary>One phrase for an event line, e.g. "killed cgroup:/a/b (3 processes)".</summary>
    public override string ToString() => Outcome switch
    {
        OomGroupKillOutcome.Killed => string.Create(CultureInfo.InvariantCulture, $"killed cgroup:{Group} ({Processes} processes)"),
        OomGroupKillOutcome.ProtectedMember => string.Create(CultureInfo.InvariantCulture, $"not killed as a group: cgroup:{Group} holds protected pid {ProtectedPid}"),
        OomGroupKillOutcome.NoCgroupKill => $"not killed as a group: cgroup:{Group} has no cgroup.kill (Linux 5.14+)",
        OomGroupKillOutcome.Gone => $"cgroup:{Group} is gone",
        _ => string.Create(CultureInfo.InvariantCulture, $"cgroup.kill of cgroup:{Group} failed: errno {Errno}"),
    };
}
