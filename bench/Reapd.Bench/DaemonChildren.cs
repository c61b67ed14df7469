namespace Reapd.Bench;

/// <summary>
/// Which processes a daemon under test started itself, from the kernel's fork events of the run: its children and
/// theirs (a hook's shell, reapd's warm-up `sleep`). A signal a daemon sends to one of them is its own business, not
/// a kill of something that should have lived; the name is no evidence (a workload could be called `sleep` too), the
/// fork is.
/// </summary>
internal static class DaemonChildren
{
    /// <summary>
    /// True when the last fork of <paramref name="targetPid"/> before <paramref name="timeS"/> was made by the daemon
    /// (any of its threads) or by a process it started. Pids are reused: only the newest fork of the pid before the
    /// signal counts, and a descendant is one forked while its parent's pid still named the daemon's child.
    /// </summary>
    public static bool IsOwnDescendant(IReadOnlyList<ForkEvent> forks, int daemonPid, int targetPid, double timeS)
    {
        if (daemonPid <= 0)
        {
            return false;
        }
        // Walk the forks in time order up to the signal; the set holds the pids that, at this point, name the daemon or
        // a process it started (a pid forked again by an outsider leaves the set).
        var own = new HashSet<int> { daemonPid };
        foreach (var f in forks.Where(f => f.TimeS <= timeS).OrderBy(f => f.TimeS))
        {
            if (f.ChildPid == daemonPid)
            {
                continue;
            }
            bool byOwn = f.ParentTgid > 0 ? own.Contains(f.ParentTgid) : own.Contains(f.ParentPid);
            if (byOwn)
            {
                own.Add(f.ChildPid);
            }
            else
            {
                own.Remove(f.ChildPid);
            }
        }
        return targetPid != daemonPid && own.Contains(targetPid);
    }
}
