namespace Reapd.Linux.Kill;

/// <summary>How freezing a unit before a cgroup-scope kill ended (<see cref="CgroupFreeze.TryFreeze"/>). None is an exception.</summary>
public enum CgroupFreezeOutcome
{
    /// <summary>cgroup.events says "frozen 1": no process of the subtree runs, forks or execs until the thaw.</summary>
    Frozen,
    /// <summary>The processes did not all stop within the bound (one in uninterruptible sleep): thawed again.</summary>
    TimedOut,
    /// <summary>No cgroup.freeze or cgroup.events (before Linux 5.2), or a write refused (EACCES): nothing changed.</summary>
    Unsupported,
    /// <summary>The cgroup was removed meanwhile.</summary>
    Gone,
}
