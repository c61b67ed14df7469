using System.Globalization;
using System.Text;
using Reapd.Core.Proc;

namespace Reapd.Linux.Kill;

/// <summary>
/// memory.oom.group on cgroup v2 (docs/platforms.md): when the kernel OOM-kills a process, it kills with it every
/// process of the highest cgroup, from the victim's own memory cgroup up to the cgroup whose limit was hit (the whole
/// machine: up to the root), that has memory.oom.group set to 1 (mm/memcontrol.c mem_cgroup_get_oom_group). A victim
/// in the root cgroup, or outside the OOM domain, has no group. The kernel then SIGKILLs the group's processes except
/// those at oom_score_adj -1000 (mm/oom_kill.c oom_kill_memcg_member). reapd does the same through cgroup.kill
/// (Linux 5.14), which kills the whole subtree at once and spares nobody, so it is used only when no member is
/// protected. Not on the hot path: these allocate.
/// </summary>
public static class OomGroup
{
    /// <summary>
    /// The group the kernel would kill with <paramref name="victimPid"/> when the OOM domain is the cgroup
    /// <paramref name="scopeRelativePath"/> ("/" for the whole machine) of the cgroup2 hierarchy mounted at
    /// <paramref name="v2Mount"/>: its path relative to the mount ("/a/b"), or null when there is none (no unified
    /// line in /proc/PID/cgroup, the victim is gone, in the root cgroup or outside the scope, or no memory.oom.group
    /// is set on the way). <paramref name="procRoot"/> is for tests.
    /// </summary>
    public static string? Find(int victimPid, string v2Mount, string scopeRelativePath, string procRoot = "/proc")
    {
        string? victimCgroup = UnifiedCgroupOf(victimPid, procRoot);
        string scope = Normalize(scopeRelativePath);
        if (victimCgroup is null || victimCgroup == "/" || !IsAtOrBelow(victimCgroup, scope))
        {
            return null;
        }
        string? group = null;
        for (string cgroup = victimCgroup; ; cgroup = Parent(cgroup))
        {
            if (ReadFlag(Path.Combine(v2Mount, cgroup.TrimStart('/'), "memory.oom.group")))
            {
                group = cgroup;
            }
            if (cgroup == scope || cgroup == "/")
            {
                return group;
            }
        }
    }

    /// <summary>
    /// Kills the group <paramref name="groupRelativePath"/> (from <see cref="Find"/>) by writing "1" to its cgroup.kill,
    /// unless a process in its subtree is one the kernel would spare (oom_score_adj -1000, PID 1) or is
    /// <paramref name="selfPid"/>. A process that joins between the check and the write is killed with the rest: the
    /// same holds for the kernel's own group kill, which walks the members once.
    /// </summary>
    public static OomGroupKill Kill(string v2Mount, string groupRelativePath, int selfPid, string procRoot = "/proc")
    {
        string group = Normalize(groupRelativePath);
        string directory = Path.Combine(v2Mount, group.TrimStart('/'));
        int processes = 0;
        try
        {
            foreach (string cgroup in SubtreeOf(directory))
            {
                foreach (int pid in ProcsOf(cgroup))
                {
                    processes++;
                    if (pid == 1 || pid == selfPid || OomScoreAdjOf(pid, procRoot) == -1000)
                    {
                        return new OomGroupKill(OomGroupKillOutcome.ProtectedMember, group, processes, pid, 0);
                    }
                }
            }
        }
        catch (Exception e) when (e is DirectoryNotFoundException or FileNotFoundException)
        {
            return new OomGroupKill(OomGroupKillOutcome.Gone, group, processes, 0, 0);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // ENODEV from a cgroup removed between open and read (systemd tearing a unit down after its main process
            // was SIGKILLed), EMFILE, EACCES: an outcome, never an exception on the decision loop right after a SIGKILL.
            return new OomGroupKill(OomGroupKillOutcome.Failed, group, processes, 0, 0);
        }
        int fd = Sensors.KernelTextFile.Open(Path.Combine(directory, "cgroup.kill"), Interop.O_WRONLY, out int errno);
        if (fd < 0)
        {
            OomGroupKillOutcome outcome = errno == (int)Interop.Errno.ENOENT
                ? (Directory.Exists(directory) ? OomGroupKillOutcome.NoCgroupKill : OomGroupKillOutcome.Gone)
                : OomGroupKillOutcome.Failed;
            return new OomGroupKill(outcome, group, processes, 0, errno);
        }
        try
        {
            errno = Sensors.KernelTextFile.Write(fd, "1");
        }
        finally
        {
            _ = Interop.close(fd);
        }
        return errno switch
        {
            0 => new OomGroupKill(OomGroupKillOutcome.Killed, group, processes, 0, 0),
            (int)Interop.Errno.ENOENT or (int)Interop.Errno.ENODEV => new OomGroupKill(OomGroupKillOutcome.Gone, group, processes, 0, errno),
            _ => new OomGroupKill(OomGroupKillOutcome.Failed, group, processes, 0, errno),
        };
    }

    /// <summary>
    /// <see cref="Find"/> then <see cref="Kill"/>: kills the victim's memory.oom.group, if it has one, and says what it
    /// did; null when the victim has no group (nothing was done).
    /// </summary>
    public static OomGroupKill? KillGroupOf(int victimPid, string v2Mount, string scopeRelativePath, int selfPid, string procRoot = "/proc") =>
        Find(victimPid, v2Mount, scopeRelativePath, procRoot) is string group ? Kill(v2Mount, group, selfPid, procRoot) : null;

    private static string? UnifiedCgroupOf(int pid, string procRoot)
    {
        byte[] text;
        try
        {
            text = File.ReadAllBytes(Path.Combine(procRoot, pid.ToString(CultureInfo.InvariantCulture), "cgroup"));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null; // the victim is gone (ESRCH, ENOENT): an expected race
        }
        if (!ProcCgroupParser.TryFindUnified(text, out ReadOnlySpan<byte> path))
        {
            return null;
        }
        string cgroup = Encoding.UTF8.GetString(path);
        // A task whose cgroup was removed shows "/a/b (deleted)": it has no group to kill.
        return cgroup.EndsWith(" (deleted)", StringComparison.Ordinal) ? null : Normalize(cgroup);
    }

    private static bool ReadFlag(string path)
    {
        try
        {
            return File.ReadAllText(path).Trim() == "1";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false; // no memory controller in this cgroup (no file), or it was removed meanwhile
        }
    }

    private static int OomScoreAdjOf(int pid, string procRoot)
    {
        try
        {
            byte[] text = File.ReadAllBytes(Path.Combine(procRoot, pid.ToString(CultureInfo.InvariantCulture), "oom_score_adj"));
            return OomScoreAdjParser.TryParse(text, out int adj) ? adj : 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return 0; // exited meanwhile: nothing to protect
        }
    }

    private static IEnumerable<string> SubtreeOf(string directory)
    {
        yield return directory;
        foreach (string child in Directory.EnumerateDirectories(directory, "*", SearchOption.AllDirectories))
        {
            yield return child;
        }
    }

    private static IEnumerable<int> ProcsOf(string cgroup)
    {
        foreach (string line in File.ReadAllLines(Path.Combine(cgroup, "cgroup.procs")))
        {
            if (int.TryParse(line, NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
            {
                yield return pid;
            }
        }
    }

    private static bool IsAtOrBelow(string cgroup, string scope) =>
        scope == "/" || cgroup == scope || cgroup.StartsWith(scope + "/", StringComparison.Ordinal);

    private static string Parent(string cgroup)
    {
        int slash = cgroup.LastIndexOf('/');
        return slash <= 0 ? "/" : cgroup[..slash];
    }

    private static string Normalize(string path) => "/" + path.Trim().Trim('/');
}
