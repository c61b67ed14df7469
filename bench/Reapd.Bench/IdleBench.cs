namespace Reapd.Bench;

/// <summary>
/// The idle scenario: every daemon runs side by side, guarding the whole machine with its usual lines, while nothing
/// happens. After a 5 s start-up, each window of S seconds measures each one's CPU time (its threads' runtime from
/// /proc/PID/task/*/schedstat, and utime+stime from /proc/PID/stat) and, at its end, its RSS and PSS
/// (/proc/PID/smaps_rollup).
/// </summary>
internal static class IdleBench
{
    public static List<IdleResult> Run(IReadOnlyList<Daemon> daemons, int windows, int windowSeconds, string workDir, CancellationToken cancel)
    {
        var results = new List<IdleResult>();
        var scope = new BenchScope(false, ProcFiles.MemTotalKiB);
        using var cgroup = WorkloadCgroup.Create($"reapd-bench-{Environment.ProcessId}-idle", null);
        var running = new List<(Daemon Daemon, ChildProcess Process)>();
        try
        {
            foreach (var d in daemons)
            {
                if (d.Start(scope, cgroup, workDir) is { } p)
                {
                    running.Add((d, p));
                }
            }
            cancel.WaitHandle.WaitOne(TimeSpan.FromSeconds(5));
            for (int w = 1; w <= windows && !cancel.IsCancellationRequested; w++)
            {
                var before = running.Select(r => ProcFiles.CpuSecondsPrecise(r.Process.Pid) ?? double.NaN).ToArray();
                var beforeTicks = running.Select(r => ProcFiles.CpuSeconds(r.Process.Pid) ?? double.NaN).ToArray();
                double t0 = Clock.NowS;
                cancel.WaitHandle.WaitOne(TimeSpan.FromSeconds(windowSeconds));
                double elapsed = Clock.NowS - t0;
                for (int i = 0; i < running.Count; i++)
                {
                    var (d, p) = running[i];
                    double cpu = (ProcFiles.CpuSecondsPrecise(p.Pid) ?? double.NaN) - before[i];
                    double ticks = (ProcFiles.CpuSeconds(p.Pid) ?? double.NaN) - beforeTicks[i];
                    var mem = ProcFiles.RssPssKiB(p.Pid);
                    results.Add(new IdleResult(d.Name, w, elapsed, cpu * 1000, ticks * 1000, mem?.RssKiB ?? -1, mem?.PssKiB ?? -1));
                }
                Console.WriteLine($"bench: idle window {w}/{windows}: " + string.Join(", ",
                    results.Where(r => r.Window == w).Select(r => $"{r.Daemon} {r.CpuMs:F1} ms CPU, RSS {r.RssKiB / 1024.0:F1} MiB")));
            }
        }
        finally
        {
            foreach (var (d, p) in running)
            {
                File.WriteAllText(Path.Combine(workDir, $"idle-{d.Name}.log"), p.Log());
                p.Stop(TimeSpan.FromSeconds(3));
                p.Dispose();
            }
        }
        return results;
    }
}
