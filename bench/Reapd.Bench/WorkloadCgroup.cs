using System.Globalization;

namespace Reapd.Bench;

/// <summary>
/// The cgroup v1 memory cgroup every workload process of one run lives in, created below the runner's own memory
/// cgroup. In quick mode it has a limit and is the scope the OOM killers guard; system-wide it has no limit and
/// only serves to know exactly which processes the runner started (to kill them, and only them, at the end) and
/// how much memory they hold. Its memory.oom_control counts kernel OOM kills of its processes (global or memcg).
/// </summary>
internal sealed class WorkloadCgroup : IDisposable
{
    public const string V1MemoryMount = "/sys/fs/cgroup/memory";

    /// <summary>The unified (v2) hierarchy, where the guest mode runs.</summary>
    public const string V2Mount = "/sys/fs/cgroup";

    /// <summary>In a guest (--in-guest), workload cgroups go below this v2 cgroup: system.slice, where systemd-oomd's
    /// ManagedOOMMemoryPressure watches, as for a service.</summary>
    public const string V2Parent = V2Mount + "/system.slice";

    public static bool IsUnified => File.Exists(V2Mount + "/cgroup.controllers");

    public bool IsV2 { get; private init; }

    /// <summary>The memory the cgroup uses: memory.usage_in_bytes (v1) or memory.current (v2), bytes.</summary>
    public string UsageFile => System.IO.Path.Combine(Path, IsV2 ? "memory.current" : "memory.usage_in_bytes");

    public string Path { get; }

    public long LimitBytes { get; }

    private WorkloadCgroup(string path, long limitBytes)
    {
        Path = path;
        LimitBytes = limitBytes;
    }

    public static bool Available => File.Exists(V1MemoryMount + "/memory.usage_in_bytes") || Directory.Exists(V1MemoryMount + "/");

    /// <param name="name">the cgroup's directory name</param>
    /// <param name="limitBytes">memory.limit_in_bytes, or null: none</param>
    /// <param name="swapBytes">with a limit: swap the cgroup may use beyond it (memory.memsw.limit_in_bytes = limit + this);
    /// needs swap accounting (the memsw files)</param>
    public static WorkloadCgroup Create(string name, long? limitBytes, long? swapBytes = null, long? highBytes = null)
    {
        bool v2 = IsUnified;
        string path = v2 ? V2Parent + "/" + name : V1MemoryMount + SelfMemoryCgroup().TrimEnd('/') + "/" + name;
        Directory.CreateDirectory(path);
        var cgroup = new WorkloadCgroup(path, limitBytes ?? long.MaxValue) { IsV2 = v2 };
        try
        {
            if (v2)
            {
                if (limitBytes is long max)
                {
                    File.WriteAllText(System.IO.Path.Combine(path, "memory.max"), max.ToString(CultureInfo.InvariantCulture));
                    File.WriteAllText(System.IO.Path.Combine(path, "memory.swap.max"), (swapBytes ?? 0).ToString(CultureInfo.InvariantCulture));
                }
                if (highBytes is long high)
                {
                    File.WriteAllText(System.IO.Path.Combine(path, "memory.high"), high.ToString(CultureInfo.InvariantCulture));
                }
                return cgroup;
            }
            if (limitBytes is long limit)
            {
                File.WriteAllText(System.IO.Path.Combine(path, "memory.limit_in_bytes"), limit.ToString(CultureInfo.InvariantCulture));
                string memsw = System.IO.Path.Combine(path, "memory.memsw.limit_in_bytes");
                if (swapBytes is long swap)
                {
                    if (!File.Exists(memsw))
                    {
                        throw new InvalidOperationException($"{path} has no memory.memsw.limit_in_bytes: this kernel does not account swap per cgroup (swapaccount)");
                    }
                    // memsw must stay at or above the memory limit, which is set first.
                    File.WriteAllText(memsw, (limit + swap).ToString(CultureInfo.InvariantCulture));
                }
            }
        }
        catch
        {
            cgroup.Dispose();
            throw;
        }
        return cgroup;
    }

    private static string SelfMemoryCgroup()
    {
        foreach (string line in File.ReadAllLines("/proc/self/cgroup"))
        {
            string[] parts = line.Split(':', 3);
            if (parts.Length == 3 && parts[1].Split(',').Contains("memory"))
            {
                return parts[2];
            }
        }
        throw new InvalidOperationException("the runner has no v1 memory cgroup in /proc/self/cgroup");
    }

    public string ProcsFile => System.IO.Path.Combine(Path, "cgroup.procs");

    public IReadOnlyList<int> Pids =>
        (ProcFiles.TryRead(ProcsFile) ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToList();

    public long UsageKiB => long.Parse(File.ReadAllText(UsageFile).Trim(), CultureInfo.InvariantCulture) / 1024;

    /// <summary>"oom_kill N" of memory.oom_control: processes of this cgroup taken by the kernel's OOM killer.</summary>
    public long KernelOomKills
    {
        get
        {
            // v2: memory.events counts the kills of this cgroup's own OOMs; a global OOM kill of one of its
            // processes shows in memory.events' oom_kill too (since 5.x, memcg_memory_event on the victim's memcg).
            foreach (string line in (ProcFiles.TryRead(System.IO.Path.Combine(Path, IsV2 ? "memory.events" : "memory.oom_control")) ?? "").Split('\n'))
            {
                if (line.StartsWith("oom_kill ", StringComparison.Ordinal))
                {
                    return long.Parse(line.AsSpan(9).Trim(), CultureInfo.InvariantCulture);
                }
            }
            return 0;
        }
    }

    /// <summary>SIGKILLs every process in the cgroup (all started by the runner) until it is empty or the deadline passes.</summary>
    public bool KillAll(TimeSpan timeout)
    {
        double deadline = Clock.NowS + timeout.TotalSeconds;
        while (Clock.NowS < deadline)
        {
            var pids = Pids;
            if (pids.Count == 0)
            {
                return true;
            }
            foreach (int pid in pids)
            {
                Libc.Kill(pid, Libc.SIGKILL);
            }
            Thread.Sleep(20);
        }
        return Pids.Count == 0;
    }

    public void Dispose()
    {
        KillAll(TimeSpan.FromSeconds(10));
        for (int attempt = 0; attempt < 200 && Directory.Exists(Path); attempt++)
        {
            try
            {
                Directory.Delete(Path);
                return;
            }
            catch (IOException)
            {
                Thread.Sleep(25);
            }
        }
    }
}
