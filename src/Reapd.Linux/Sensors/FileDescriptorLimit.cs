using System.Globalization;

namespace Reapd.Linux.Sensors;

/// <summary>
/// RLIMIT_NOFILE, raised once at start. A cgroup-scope kill opens one pidfd per member of the unit, and systemd starts
/// services with a soft limit of 1024 (hard 524288): a large unit could run reapd out of fds in the middle of a kill
/// (docs/cgroups.md). Raising the soft limit up to the hard one needs no privilege. It is raised to at most
/// <see cref="CeilingFds"/>: the hooks and notification helpers reapd starts inherit the soft limit, and a program that
/// closes every possible fd in a loop, or uses select(2), fares badly with the hard limits some containers give
/// (around 10^9); systemd's advice is a soft limit of 1024 for what a service runs.
/// </summary>
public static class FileDescriptorLimit
{
    /// <summary>The soft limit reapd raises itself to at most: room for a unit of tens of thousands of processes.</summary>
    public const ulong CeilingFds = 65_536;

    /// <summary>Raises the soft limit towards the hard limit (at most <see cref="CeilingFds"/>), best effort; says what it did, for the start event.</summary>
    public static unsafe string Raise()
    {
        Interop.RLimit limit;
        if (Interop.getrlimit(Interop.RLIMIT_NOFILE, &limit) != 0)
        {
            return string.Create(CultureInfo.InvariantCulture, $"unknown (getrlimit errno {(int)Interop.LastErrno})");
        }
        ulong target = Math.Min(limit.Hard, CeilingFds);
        if (limit.Soft >= target)
        {
            return Describe(limit.Soft) + (limit.Soft >= limit.Hard ? " (the hard limit)" : "");
        }
        ulong before = limit.Soft;
        limit.Soft = target;
        if (Interop.setrlimit(Interop.RLIMIT_NOFILE, &limit) != 0)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{Describe(before)} (raising it to {Describe(target)} failed: errno {(int)Interop.LastErrno})");
        }
        return $"{Describe(target)} (raised from {Describe(before)})";
    }

    private static string Describe(ulong value) => value == ulong.MaxValue ? "unlimited" : value.ToString(CultureInfo.InvariantCulture);
}
