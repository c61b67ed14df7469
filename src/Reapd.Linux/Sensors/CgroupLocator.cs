namespace Reapd.Linux.Sensors;

/// <summary>
/// Turns the user's --cgroup argument into a <see cref="CgroupTarget"/>. Accepts the cgroup's directory
/// (/sys/fs/cgroup/memory/a/b, /sys/fs/cgroup/a/b) or its path inside the hierarchy as /proc/PID/cgroup shows it
/// (/a/b), tried under the v1 memory mount first, then the cgroup2 mount. The mounts come from /proc/self/mountinfo.
/// </summary>
public static class CgroupLocator
{
    /// <summary>The target, or null with one line saying what is wrong with <paramref name="path"/>.</summary>
    public static CgroupTarget? Resolve(string path, out string? problem, string mountInfoPath = "/proc/self/mountinfo")
    {
        problem = null;
        (string? v1Mount, string? v2Mount) = FindMounts(mountInfoPath);
        var tried = new List<string>();
        foreach (string directory in Candidates(path, v1Mount, v2Mount))
        {
            tried.Add(directory);
            if (!System.IO.Directory.Exists(directory))
            {
                continue;
            }
            string full = System.IO.Path.GetFullPath(directory).TrimEnd('/');
            if (File.Exists(System.IO.Path.Combine(full, "memory.usage_in_bytes")) && v1Mount is not null && Under(full, v1Mount, out string v1Relative))
            {
                return new CgroupTarget(full, CgroupVersion.V1, v1Relative);
            }
            if (File.Exists(System.IO.Path.Combine(full, "memory.current")) && v2Mount is not null && Under(full, v2Mount, out string v2Relative))
            {
                return new CgroupTarget(full, CgroupVersion.V2, v2Relative);
            }
            if (v2Mount is not null && Under(full, v2Mount, out _) && !File.Exists(System.IO.Path.Combine(full, "memory.current")))
            {
                problem = $"cgroup '{path}' has no memory controller (no memory.current in {full}; enable it in the parent's cgroup.subtree_control)";
                return null;
            }
        }
        problem = $"cgroup '{path}' not found (looked at {string.Join(", ", tried.Distinct())})";
        return null;
    }

    private static IEnumerable<string> Candidates(string path, string? v1Mount, string? v2Mount)
    {
        yield return path;
        string inside = "/" + path.Trim('/');
        if (v1Mount is not null)
        {
            yield return v1Mount.TrimEnd('/') + inside;
        }
        if (v2Mount is not null)
        {
            yield return v2Mount.TrimEnd('/') + inside;
        }
    }

    private static bool Under(string directory, string mount, out string relative)
    {
        string root = mount.TrimEnd('/');
        if (directory == root)
        {
            relative = "/";
            return true;
        }
        if (directory.StartsWith(root + "/", StringComparison.Ordinal))
        {
            relative = directory[root.Length..];
            return true;
        }
        relative = "";
        return false;
    }

    /// <summary>The v1 memory controller's mount and the cgroup2 mount, from mountinfo (fields: ... mountpoint ... - fstype source superopts).</summary>
    /// <summary>Where the cgroup2 (unified) hierarchy is mounted, or null when it is not.</summary>
    public static string? UnifiedMount(string mountInfoPath = "/proc/self/mountinfo") => FindMounts(mountInfoPath).V2;

    internal static (string? V1Memory, string? V2) FindMounts(string mountInfoPath)
    {
        string? v1 = null, v2 = null;
        if (!File.Exists(mountInfoPath))
        {
            return (null, null);
        }
        foreach (string line in File.ReadLines(mountInfoPath))
        {
            string[] halves = line.Split(" - ", 2);
            if (halves.Length != 2)
            {
                continue;
            }
            string[] left = halves[0].Split(' ');
            string[] right = halves[1].Split(' ');
            if (left.Length < 5 || right.Length < 3)
            {
                continue;
            }
            string mountPoint = left[4];
            if (right[0] == "cgroup" && right[2].Split(',').Contains("memory"))
            {
                v1 ??= mountPoint;
            }
            else if (right[0] == "cgroup2")
            {
                v2 ??= mountPoint;
            }
        }
        return (v1, v2);
    }
}
