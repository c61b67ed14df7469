namespace Reapd.Core.Cgroups;

/// <summary>
/// The unit-level cgroup a process belongs to, the group reapd chooses first on a machine run by systemd: a Kubernetes
/// pod (<see cref="KubePodPath"/>) when the path is inside one; else the first *.service or *.scope below the slices
/// (a service that delegates sub-cgroups to its own processes is still one unit); else the path itself (a process
/// directly in a slice, or in a cgroup systemd does not manage). Pure string work on the /proc/PID/cgroup path.
/// </summary>
public static class UnitCgroups
{
    /// <summary>The unit cgroup of a process in <paramref name="cgroupPath"/> ("/system.slice/a.service/sub" → "/system.slice/a.service").</summary>
    public static string UnitOf(string cgroupPath)
    {
        if (KubePodPath.TryParse(cgroupPath, out KubePodPath pod))
        {
            return pod.PodPath;
        }
        int start = 0;
        while (start < cgroupPath.Length)
        {
            int slash = cgroupPath.IndexOf('/', start + 1);
            int end = slash < 0 ? cgroupPath.Length : slash;
            ReadOnlySpan<char> component = cgroupPath.AsSpan(start, end - start).TrimStart('/');
            if (component.EndsWith(".service", StringComparison.Ordinal) || component.EndsWith(".scope", StringComparison.Ordinal))
            {
                return cgroupPath[..end];
            }
            if (slash < 0)
            {
                break;
            }
            start = slash;
        }
        return cgroupPath.Length == 0 ? "/" : cgroupPath;
    }

    /// <summary>Is <paramref name="cgroup"/> the cgroup <paramref name="ancestor"/> or inside it?</summary>
    public static bool IsAtOrBelow(string cgroup, string ancestor) =>
        ancestor == "/" || cgroup == ancestor || (cgroup.StartsWith(ancestor, StringComparison.Ordinal) && cgroup.Length > ancestor.Length && cgroup[ancestor.Length] == '/');
}
