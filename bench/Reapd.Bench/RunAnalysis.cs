namespace Reapd.Bench;

/// <summary>Turns one run's samples, kernel signal events and child exits into the measured figures.</summary>
internal static class RunAnalysis
{
    /// <summary>"Memory back": available memory recovered by this share of the victim's resident size.</summary>
    public const double BackShare = 0.8;

    public static void Fill(RunResult r, MemorySample[] all, List<SignalEvent> events, List<ForkEvent> forks, bool traceAvailable, Workload workload,
        ChildProcess? daemon, string daemonName, int ballastPid, MemorySampler sampler, Dictionary<int, (double TimeS, bool Global)> kernelLogKills)
    {
        var samples = all.Where(s => s.TimeS >= r.StartS - 0.5 && s.TimeS <= r.EndS + 0.01).ToArray();
        r.Samples = samples;
        var during = samples.Where(s => s.TimeS >= r.StartS).ToArray();
        r.AvailableAtStartKiB = during.Length > 0 ? during[0].AvailableKiB : 0;
        r.TermCrossS = FirstTime(during, s => s.AvailableKiB < r.TermLineKiB);
        r.KillCrossS = FirstTime(during, s => s.AvailableKiB < r.KillLineKiB);
        var psi = samples.Where(s => s.PsiFullUs >= 0).Select(s => new Swap.PsiSample(s.TimeS, new Swap.PsiTotals(s.PsiSomeUs, s.PsiFullUs))).ToList();
        r.PsiFullStallMs = Swap.PsiStall.StallMs(psi, r.StartS, r.EndS, full: true);
        r.PsiSomeStallMs = Swap.PsiStall.StallMs(psi, r.StartS, r.EndS, full: false);
        int daemonPid = daemon?.Pid ?? -1;
        int runnerPid = Environment.ProcessId;
        var seen = new HashSet<int>();
        if (traceAvailable)
        {
            r.SignalSource = "tracefs signal_generate";
            foreach (var e in events.Where(e => e.TimeS >= r.StartS && e.TimeS <= r.EndS).OrderBy(e => e.TimeS))
            {
                if (e.SenderTgid == runnerPid)
                {
                    continue;
                }
                string by = e.SenderTgid == daemonPid && daemonPid > 0 ? daemonName : e.FromKernel ? "kernel" : $"other ({e.SenderComm})";
                string role = e.TargetPid == ballastPid ? "ballast" : workload.RoleOf(e.TargetPid);
                if (role.Length == 0 && e.TargetComm.StartsWith("bench-forkstorm", StringComparison.Ordinal))
                {
                    role = "churn";
                }
                if (role.Length == 0 && by == daemonName && DaemonChildren.IsOwnDescendant(forks, daemonPid, e.TargetPid, e.TimeS))
                {
                    // A process the daemon started itself (reapd's warm-up `sleep`, a hook): not a kill of the
                    // workload's or anyone else's process. Shown in the run's notes, not counted.
                    r.OwnChildSignals.Add($"{(e.Signal == Libc.SIGKILL ? "SIGKILL" : "SIGTERM")} {e.TargetComm} {e.TargetPid}");
                    continue;
                }
                if (e.Signal == Libc.SIGTERM)
                {
                    if (role.Length > 0 && by == daemonName && double.IsNaN(r.FirstTermS))
                    {
                        r.FirstTermS = e.TimeS;
                    }
                    if ((role.Length == 0 || role == "ballast") && by == daemonName)
                    {
                        r.OutsiderKills.Add($"SIGTERM {e.TargetComm} {e.TargetPid} ({(role.Length == 0 ? "outside the bench" : role)})");
                    }
                    continue;
                }
                if (!seen.Add(e.TargetPid))
                {
                    continue;
                }
                if (role.Length == 0 || role == "ballast")
                {
                    // Charged to the run: what the daemon under test did, and the global OOM killer (the machine ran
                    // out during the run). A memory cgroup's OOM kill elsewhere is another user's test.
                    bool globalOom = e.FromKernel && kernelLogKills.TryGetValue(e.TargetPid, out var logged) && logged.Global;
                    if ((by == daemonName && !e.FromKernel) || globalOom || role == "ballast")
                    {
                        r.OutsiderKills.Add($"SIGKILL {e.TargetComm} {e.TargetPid} by {by}{(globalOom ? " (global OOM)" : "")}");
                    }
                    continue;
                }
                r.Kills.Add(new KillRecord(e.TimeS, e.TargetPid, role, by, sampler.LastRssKiB(e.TargetPid), FromTrace: true));
            }
        }
        else
        {
            r.SignalSource = "runner's observation of its children's deaths";
        }
        // Kernel OOM kills of workload processes that the tracepoint missed, from the kernel's own log.
        foreach (var (pid, (timeS, global)) in kernelLogKills)
        {
            string role = pid == ballastPid ? "ballast" : workload.RoleOf(pid);
            if (timeS >= r.StartS - 0.5 && timeS <= r.EndS + 0.5 && seen.Add(pid))
            {
                if (role.Length == 0 || role == "ballast")
                {
                    if (role == "ballast" || global)
                    {
                        r.OutsiderKills.Add($"SIGKILL {(role.Length > 0 ? role : "pid")} {pid} by kernel (global OOM, kmsg)");
                    }
                    continue;
                }
                r.Kills.Add(new KillRecord(timeS, pid, role, "kernel", sampler.LastRssKiB(pid), FromTrace: false));
            }
        }
        // Deaths neither showed (no tracefs): children killed by SIGKILL, and the fork storm's workers.
        foreach (var p in workload.Processes)
        {
            if (p.TerminatingSignal == Libc.SIGKILL && p.ExitSeenS <= r.EndS && seen.Add(p.Pid))
            {
                // No trace event: the runner saw the death (later than the signal). With no daemon and a kernel OOM
                // kill counted in the cgroup, the kernel did it.
                string by = daemon is null && r.KernelOomKills > 0 ? "kernel (observed)" : "observed";
                r.Kills.Add(new KillRecord(p.ExitSeenS, p.Pid, workload.RoleOf(p.Pid), by, sampler.LastRssKiB(p.Pid), FromTrace: false));
            }
            foreach (var (timeS, line) in p.Lines)
            {
                string[] parts = line.Split(' ');
                if (parts.Length == 5 && parts[0] == "worker" && parts[2] == "dead" && parts[3] == "signal" && parts[4] == "9" && timeS <= r.EndS)
                {
                    int pid = int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
                    if (seen.Add(pid))
                    {
                        r.Kills.Add(new KillRecord(timeS, pid, workload.RoleOf(pid) is { Length: > 0 } role ? role : "churn", "observed", sampler.LastRssKiB(pid), FromTrace: false));
                    }
                }
            }
        }
        r.Kills.Sort((a, b) => a.TimeS.CompareTo(b.TimeS));
        EstimateCrossing(r, samples);
        if (!double.IsNaN(r.KillCrossS) && during.Length > 0 && r.KillCrossS > r.StartS)
        {
            long grown = SampleAt(samples, Math.Min(r.KillCrossS, r.VictimKill?.TimeS ?? r.KillCrossS)).WorkloadUsageKiB - during[0].WorkloadUsageKiB;
            r.RampMiBs = grown / 1024.0 / (r.KillCrossS - r.StartS);
        }
        foreach (var k in r.Kills)
        {
            k.SampleGapMs = SampleGapMs(samples, k.TimeS);
            var before = SampleAt(samples, k.TimeS);
            long wantAvailable = before.AvailableKiB + (long)(k.RssKiB * BackShare);
            k.MemoryBackS = FirstTime(samples.Where(s => s.TimeS >= k.TimeS), s => s.AvailableKiB >= wantAvailable);
            if (k.Role == "worker")
            {
                // Other workers keep allocating: the victim's own memory going away is the figure here.
                double gone = sampler.RssGoneS(k.Pid);
                // Gone before its kill (by more than a sample) is a kill time taken late (no trace event): unknown.
                k.MemoryBackS = gone >= k.TimeS - 0.005 ? Math.Max(gone, k.TimeS) : double.NaN;
                k.FreedS = double.IsNaN(k.MemoryBackS) ? double.NaN : WorkerFreedS(k, samples, sampler.RssGoneSampleS(k.Pid));
            }
            else
            {
                long wantUsage = before.WorkloadUsageKiB - (long)(k.RssKiB * BackShare);
                k.FreedS = FirstTime(samples.Where(s => s.TimeS >= k.TimeS), s => s.WorkloadUsageKiB <= wantUsage);
            }
            if (k.Role != "worker" && r.Kills.Any(o => o.Pid != k.Pid && o.TimeS > k.TimeS && !(o.TimeS >= k.MemoryBackS)))
            {
                // Another kill came before this victim's memory was back: what came back was not (only) the victim's.
                k.MemoryBackS = double.NaN;
                k.FreedS = double.NaN;
            }
            if (!double.IsNaN(r.SafetyValveS) && !(k.MemoryBackS < r.SafetyValveS))
            {
                // The valve's released ballast shows up as available memory: only the cgroup's usage still tells.
                k.MemoryBackS = k.Role == "worker" ? k.MemoryBackS : k.FreedS;
            }
        }
        MarkPremature(r.Kills);
    }

    /// <summary>
    /// When a killed worker's memory was freed, not only unmapped: the first sample, from the turn that read its
    /// resident memory gone on, in which the workload's charge that no watched process maps
    /// (<see cref="MemorySample.UnmappedChargeKiB"/>) is back within a fifth of the worker's size of where it was before
    /// the kill; NaN if never. The RSS alone says too early: when the victim's own exit_mmap() unmaps beside
    /// process_mrelease(), the pages it unmapped wait in its mmu_gather until tlb_finish_mmu(), after free_pgtables()
    /// under the mmap write lock (mm/mmap.c, 6.0 on), so they are freed and uncharged only once the dying task runs
    /// again, milliseconds later on busy CPUs, while its statm reads 0 and process_mrelease() has returned 0.
    /// </summary>
    /// <param name="rssGoneSampleS">the time of the sample whose turn first read the worker's RSS gone</param>
    public static double WorkerFreedS(KillRecord k, MemorySample[] samples, double rssGoneSampleS)
    {
        if (double.IsNaN(rssGoneSampleS) || samples.Length == 0)
        {
            return double.NaN;
        }
        // The last sample stamped before the kill may have read the victim's statm after it (the reads follow the
        // stamp); the one before it was read whole before the kill.
        int at = Array.FindLastIndex(samples, s => s.TimeS <= k.TimeS);
        var before = samples[Math.Max(0, at - 1)];
        long allowedKiB = before.UnmappedChargeKiB + (long)(k.RssKiB * (1 - BackShare));
        double from = Math.Max(k.TimeS, rssGoneSampleS);
        return FirstTime(samples.Where(s => s.TimeS >= from), s => s.UnmappedChargeKiB <= allowedKiB);
    }

    /// <summary>A kill is premature when it came before the previous victim's memory was back: for a fork-storm
    /// worker, freed in the cgroup (<see cref="WorkerFreedS"/>); otherwise back in available memory. Never back counts
    /// as premature too.</summary>
    public static void MarkPremature(IReadOnlyList<KillRecord> kills)
    {
        for (int i = 1; i < kills.Count; i++)
        {
            var previous = kills[i - 1];
            double backS = previous.Role == "worker" ? previous.FreedS : previous.MemoryBackS;
            kills[i].Premature = !(kills[i].TimeS >= backS);
        }
    }

    /// <summary>
    /// Why a run whose workload is sized to go below the kill line did not happen, or null: no sample below the line
    /// and no kill of a workload process. The reason gives the lowest available memory, the workload's growth by then,
    /// and how much memory came back elsewhere (available fell by less than the workload grew: another user's memory
    /// freed, caches that MemAvailable does not count reclaimed), which is what undoes a ramp on a shared machine.
    /// </summary>
    public static string? DidNotHappen(RunResult r)
    {
        if (!double.IsNaN(r.KillCrossS) || r.Kills.Count > 0)
        {
            return null;
        }
        var during = r.Samples.Where(s => s.TimeS >= r.StartS).ToArray();
        if (during.Length == 0)
        {
            return "no memory sample during the run";
        }
        var first = during[0];
        var lowest = during.MinBy(s => s.AvailableKiB);
        long grownKiB = lowest.WorkloadUsageKiB - first.WorkloadUsageKiB;
        long cameBackKiB = lowest.AvailableKiB - first.AvailableKiB + grownKiB;
        return string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"available memory never went below the SIGKILL line ({r.KillLineKiB / 1024} MiB): lowest {lowest.AvailableKiB / 1024} MiB "
            + $"({(lowest.AvailableKiB - r.KillLineKiB) / 1024} MiB above it) at {lowest.TimeS - r.StartS:F2} s, from {first.AvailableKiB / 1024} MiB at the start; "
            + $"the workload had grown {grownKiB / 1024} MiB by then, and {cameBackKiB / 1024} MiB came back outside it");
    }

    /// <summary>
    /// A killer that acts within a sample interval of the crossing can free the memory before any sample shows it
    /// below the line. The crossing then lies between the last sample (still above the line) and the kill; the
    /// runner takes that last sample's time, so the reported latency is an upper bound (conservative for the killer;
    /// extrapolating is no better: hogs allocate in 4 MiB steps).
    /// </summary>
    private static void EstimateCrossing(RunResult r, MemorySample[] samples)
    {
        if (r.VictimKill is not { } kill || r.KillCrossS <= kill.TimeS)
        {
            return;
        }
        var before = samples.LastOrDefault(s => s.TimeS <= kill.TimeS && s.TimeS >= r.StartS);
        if (before.TimeS > 0)
        {
            r.KillCrossS = before.TimeS;
            r.CrossingEstimated = true;
        }
    }

    /// <summary>From the last sample stamped before <paramref name="timeS"/> to the first stamped after it, ms; NaN
    /// when one side has none.</summary>
    public static double SampleGapMs(MemorySample[] samples, double timeS)
    {
        int after = Array.FindIndex(samples, s => s.TimeS > timeS);
        return after > 0 ? (samples[after].TimeS - samples[after - 1].TimeS) * 1000 : double.NaN;
    }

    public static MemorySample SampleAt(MemorySample[] samples, double timeS)
    {
        MemorySample last = samples.Length > 0 ? samples[0] : default;
        foreach (var s in samples)
        {
            if (s.TimeS > timeS)
            {
                break;
            }
            last = s;
        }
        return last;
    }

    private static double FirstTime(IEnumerable<MemorySample> samples, Func<MemorySample, bool> predicate)
    {
        foreach (var s in samples)
        {
            if (predicate(s))
            {
                return s.TimeS;
            }
        }
        return double.NaN;
    }
}
