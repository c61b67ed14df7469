namespace Reapd.Linux.Sensors;

/// <summary>
/// The cgroup `reapd run --cgroup PATH` guards: its directory, which memory controller it belongs to, and its path
/// relative to that hierarchy's mount, which is how /proc/PID/cgroup names it (candidates are the processes inside).
/// </summary>
public sealed record CgroupTarget(string Directory, CgroupVersion Version, string RelativePath);
