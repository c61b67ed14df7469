using System.Globalization;

namespace Reapd.Linux.Sensors;

/// <summary>
/// RLIMIT_NOFILE, raised once at start. A cgroup-scope kill opens one pidfd per member of the unit, and systemd starts
/// services with a soft limit of 1024 (hard 524288): a large unit could run reapd out of fds in the middle of a kill
/// (docs/cgroups.md). Raising the soft limit to the hard one needs no privilege.
/// </summary>
public static class FileDescriptorLimit
{
    /// <summary>Raises the soft limit to the hard limit, best effort; says what it did, for the start event.</summary>
    public static unsafe string RaiseSoftToHard()
    {
        Interop.RLimit limit;
        if (Interop.getrlimit(Interop.RLIMIT_NOFILE, &limit) != 0)
        {
            return string.Create(CultureInfo.InvariantCulture, $"unknown (getrlimit errno {(int)Interop.LastErrno})");
        }
        if (limit.Soft >= limit.Hard)
        {
            return Describe(limit.Soft) + " (the hard limit)";
        }
        ulong before = limit.Soft;
        limit.Soft = limit.Hard;
        if (Interop.setrlimit(Interop.RLIMIT_NOFILE, &limit) != 0)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{Describe(before)} (raising it to {Describe(limit.Hard)} failed: errno {(int)Interop.LastErrno})");
        }
        return $"{Describe(limit.Hard)} (raised from {Describe(before)})";
    }

    private static string Describe(ulong value) => value == ulong.MaxValue ? "unlimited" : value.ToString(CultureInfo.InvariantCulture);
}
