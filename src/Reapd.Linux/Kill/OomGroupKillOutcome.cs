namespace Reapd.Linux.Kill;

/// <summary>How killing a memory.oom.group through cgroup.kill ended. None of these is an exception.</summary>
public enum OomGroupKillOutcome
{
    /// <summary>"1" written to cgroup.kill: the kernel SIGKILLs every process in the group's subtree.</summary>
    Killed,
    /// <summary>
    /// Not written: a process the kernel's own group kill would spare (oom_score_adj -1000, PID 1) or reapd itself is
    /// in the subtree, and cgroup.kill spares nobody. The caller kills the members one by one instead.
    /// </summary>
    ProtectedMember,
    /// <summary>The group exists but has no cgroup.kill (before Linux 5.14): kill the members one by one.</summary>
    NoCgroupKill,
    /// <summary>The cgroup was removed meanwhile (ENOENT, ENODEV).</summary>
    Gone,
    /// <summary>Any other errno.</summary>
    Failed,
}
