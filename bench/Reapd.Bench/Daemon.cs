namespace Reapd.Bench;

/// <summary>
/// An OOM killer under test. The runner starts it in the foreground as its own child, with the same lines as every
/// other daemon (SIGTERM below 10 %, SIGKILL below 5 % of the scope), waits until it says it is watching, and stops
/// it by pid. "kernel only" starts nothing.
/// </summary>
internal abstract class Daemon
{
    public abstract string Name { get; }

    /// <summary>False for the peers: earlyoom and nohang only read /proc/meminfo, they cannot guard a cgroup.</summary>
    public abstract bool HasCgroupScope { get; }

    /// <summary>The command line, and how to recognise the line it prints once it is watching.</summary>
    protected abstract (string File, string[] Args, Func<string, bool> IsReady) Command(BenchScope scope, WorkloadCgroup cgroup, string workDir);

    public virtual ChildProcess? Start(BenchScope scope, WorkloadCgroup cgroup, string workDir)
    {
        var (file, args, isReady) = Command(scope, cgroup, workDir);
        var child = ChildProcess.Start(Name, file, args);
        if (child.WaitForLine(isReady, TimeSpan.FromSeconds(15)) is null)
        {
            string log = child.Log();
            child.Dispose();
            throw new InvalidOperationException($"{Name} did not report that it is watching within 15 s:\n{log}");
        }
        return child;
    }

    /// <summary>Undoes what <see cref="Start"/> set besides its process (systemd-oomd's drop-ins, MGLRU's min_ttl_ms).</summary>
    public virtual void AfterStop()
    {
    }

    public override string ToString() => Name;
}
