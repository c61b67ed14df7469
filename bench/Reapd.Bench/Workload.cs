namespace Reapd.Bench;

/// <summary>
/// The processes of one run. Every one of them sits in the run's workload cgroup at oom_score_adj 1000. Each pid
/// has a role: "victim" (the one that should be killed), "bystander" (must survive: a small hog, a decoy),
/// "worker" (fork storm: any may die, count them), "parent" (the fork storm's parent, which holds nothing).
/// </summary>
internal class Workload : IDisposable
{
    private readonly Dictionary<int, string> _roles = [];
    private readonly Lock _lock = new();

    public List<ChildProcess> Processes { get; } = [];

    public ScenarioContext Context { get; }

    public Workload(ScenarioContext context) => Context = context;

    public ChildProcess Add(ChildProcess process, string role)
    {
        Processes.Add(process);
        SetRole(process.Pid, role);
        return process;
    }

    public void SetRole(int pid, string role)
    {
        lock (_lock)
        {
            _roles[pid] = role;
        }
        Context.Sampler.Watch(pid);
    }

    public string RoleOf(int pid)
    {
        Refresh();
        lock (_lock)
        {
            return _roles.TryGetValue(pid, out string? role) ? role : "";
        }
    }

    public IReadOnlyList<int> PidsWithRole(string role)
    {
        Refresh();
        lock (_lock)
        {
            return _roles.Where(kv => kv.Value == role).Select(kv => kv.Key).ToList();
        }
    }

    /// <summary>Picks up processes the workload started itself (the fork storm's workers).</summary>
    public virtual void Refresh()
    {
    }

    /// <summary>Called by the runner on every turn of its loop (about every 5 ms) for as long as the run lasts: a
    /// workload that steers itself by the memory it sees (the blocked-exit pusher stops there).</summary>
    public virtual void Tick()
    {
    }

    /// <summary>True once the run has reached its end condition (the victim is dead or dying, ...).</summary>
    public virtual bool Done => PidsWithRole("victim").All(IsDeadOrDying);

    /// <summary>True while some workload process that holds memory could still be killed to free it.</summary>
    public bool AnyKillableAlive =>
        PidsWithRole("victim").Concat(PidsWithRole("bystander")).Concat(PidsWithRole("worker")).Any(p => !IsDeadOrDying(p));

    /// <summary>Gone, a zombie, or with SIGKILL pending (ShdPnd/SigPnd bit 9): it will not allocate again.</summary>
    public static bool IsDeadOrDying(int pid)
    {
        string? status = ProcFiles.TryRead($"/proc/{pid}/status");
        if (status is null)
        {
            return true;
        }
        foreach (string line in status.Split('\n'))
        {
            if (line.StartsWith("State:", StringComparison.Ordinal) && (line.Contains('Z') || line.Contains('X')))
            {
                return true;
            }
            if ((line.StartsWith("ShdPnd:", StringComparison.Ordinal) || line.StartsWith("SigPnd:", StringComparison.Ordinal))
                && ulong.TryParse(line.AsSpan(7).Trim(), System.Globalization.NumberStyles.HexNumber, null, out ulong mask)
                && (mask & (1UL << (Libc.SIGKILL - 1))) != 0)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>Undo what keeps a killed process from exiting (the blocked-exit scenario aborts its FUSE mount).</summary>
    public virtual void Release()
    {
    }

    public string Logs() => string.Join("\n", Processes.Select(p => $"=== {p.Name} {p.Pid} exit={p.ExitCode}\n{p.Log()}"));

    public virtual void Dispose()
    {
        Release();
        Context.Cgroup.KillAll(TimeSpan.FromSeconds(10));
        foreach (var p in Processes)
        {
            p.Dispose();
        }
    }
}
