using System.Globalization;
using System.Text;

namespace Reapd.Bench;

/// <summary>Writes bench/results: one Markdown table and one PNG timeline per scenario, idle.md, summary.md (the
/// table the README's Performance section shows) and runs.csv (every run).</summary>
internal sealed class Report(BenchOptions options, BenchScope scope, Func<Scenario, BenchScope> scopeOf, string signalSource, DateTime startedUtc, DateTime endedUtc, int? ballastAdj)
{
    private const string ReadmeBegin = "<!-- bench:begin (written by bench/Reapd.Bench) -->";
    private const string ReadmeEnd = "<!-- bench:end -->";

    private readonly StringBuilder _summary = new();

    private string Header => HeaderFor(scope, null);

    private string HeaderFor(BenchScope scope, string? swap) =>
        $"Mode: **{(options.Quick ? "quick" : "full")}**; scope: {scope.Describe}. Lines for every daemon: SIGTERM below "
        + $"{BenchScope.TermPercent} % ({scope.TermLineKiB / 1024} MiB available), SIGKILL below {BenchScope.KillPercent} % "
        + $"({scope.KillLineKiB / 1024} MiB). Kill times from {signalSource}. Run {startedUtc:yyyy-MM-dd HH:mm}–{endedUtc:HH:mm} UTC on "
        + $"Linux {Environment.OSVersion.Version}, {Environment.ProcessorCount} CPUs, {ProcFiles.MemTotalKiB / 1024} MiB RAM, {swap ?? "no swap"}."
        + (ballastAdj is int adj && swap is null
            ? $" A ballast process held all but the last 2 GiB above the SIGKILL line of available memory (3 GiB in the small-and-big scenario, 4 GiB in blocked-exit), at oom_score_adj {adj}"
              + (adj == -1000 ? " (no killer may pick it)." : " (root here lacks CAP_SYS_RESOURCE, so -1000 was refused; at 0 it is the first thing after the hogs any killer would take, before anything else on the machine). A kill of it counts as an extra kill.")
            : "")
        + (options.BaselineBinary is { } baseline
            ? $" {BenchOptions.BaselineDaemon} is a second reapd binary ({baseline}), started with exactly reapd's command line, in the same rounds."
            : "")
        + (options.Quick && swap is null
            ? " Quick mode: earlyoom and nohang have no cgroup scope; they run with their system-wide lines on a machine "
              + "that is nowhere near them, so inside the 512 MiB cgroup it is the kernel's memory-cgroup OOM killer that "
              + "acts in their runs. Their quick rows show that, not their speed; the full run compares them."
            : "");

    public void Write(string dir, IReadOnlyList<Scenario> scenarios, IReadOnlyList<string> daemons, List<RunResult> results, List<IdleResult> idle)
    {
        Directory.CreateDirectory(dir);
        // A run of swap-thrash scenarios only: the summary's header names their scope and swap, not the machine's.
        bool onlyStall = scenarios.Count > 0 && scenarios.All(s => s.MeasuresStall);
        _summary.AppendLine(onlyStall
            ? HeaderFor(scopeOf(scenarios[0]), string.Join("; ", results.Select(r => r.SwapDescription).OfType<string>().Distinct()))
            : Header).AppendLine();
        _summary.AppendLine("| scenario | daemon | threshold → SIGKILL, ms | kill → memory back, ms | victims killed | extra kills | kernel OOM kills | SIGKILL sent by |");
        _summary.AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (var s in scenarios)
        {
            var runs = results.Where(r => r.Scenario == s.Slug).ToList();
            File.WriteAllText(Path.Combine(dir, s.Slug + ".md"), ScenarioMarkdown(s, daemons, runs));
            var reps = daemons.Select(d => Representative(runs.Where(r => r.Daemon == d && r.Counted && r.Error is null).ToList()))
                .OfType<RunResult>().ToList();
            if (reps.Count > 0)
            {
                Timeline.Write(Path.Combine(dir, s.Slug + ".png"), s.Title, scopeOf(s), reps);
                if (s.MeasuresStall)
                {
                    StallTimeline.Write(Path.Combine(dir, s.Slug + "-stall.png"), s.Title, reps);
                }
            }
        }
        AppendStallSummary(scenarios.Where(s => s.MeasuresStall).ToList(), daemons, results);
        AppendRatioSummary(scenarios, daemons, results);
        if (idle.Count > 0)
        {
            string idleMd = IdleMarkdown(idle);
            File.WriteAllText(Path.Combine(dir, "idle.md"), idleMd);
        }
        AppendBaselineSummary(scenarios, results, idle);
        File.WriteAllText(Path.Combine(dir, "summary.md"), _summary.ToString());
        WriteCsv(Path.Combine(dir, "runs.csv"), results);
    }

    /// <summary>The summary's ratio table: threshold → SIGKILL, reapd / peer, per round, median (min–max).</summary>
    private void AppendRatioSummary(IReadOnlyList<Scenario> scenarios, IReadOnlyList<string> daemons, List<RunResult> results)
    {
        var peers = daemons.Where(d => d != "reapd").ToList();
        if (!results.Any(r => r.Daemon == "reapd" && r.Counted))
        {
            return;
        }
        _summary.AppendLine().AppendLine("Threshold → SIGKILL, reapd / peer within each round, median (min–max):").AppendLine();
        _summary.AppendLine("| scenario | " + string.Join(" | ", peers.Select(p => "reapd / " + p)) + " |");
        _summary.AppendLine("|---|" + string.Concat(peers.Select(_ => "---|")));
        foreach (var s in scenarios)
        {
            var mine = results.Where(r => r.Scenario == s.Slug && r.Daemon == "reapd" && r.Counted).ToDictionary(r => r.Round);
            var cells = peers.Select(p => Stats.MedianRange(results
                .Where(r => r.Scenario == s.Slug && r.Daemon == p && r.Counted && mine.ContainsKey(r.Round))
                .Select(r => mine[r.Round].KillLatencyMs / r.KillLatencyMs).ToList(), "F3"));
            _summary.AppendLine($"| {s.Slug} | " + string.Join(" | ", cells) + " |");
        }
    }

    /// <summary>
    /// With --baseline: reapd against the baseline binary, per scenario and in idle, every ratio taken within one
    /// round (or one idle window, where both ran side by side), median (min–max); below 1 means reapd is faster or
    /// cheaper.
    /// </summary>
    private void AppendBaselineSummary(IReadOnlyList<Scenario> scenarios, List<RunResult> results, List<IdleResult> idle)
    {
        string baseName = BenchOptions.BaselineDaemon;
        if (options.BaselineBinary is null)
        {
            return;
        }
        _summary.AppendLine().AppendLine($"reapd / {baseName} within each round, median (min–max); extra and kernel OOM kills summed over the runs (reapd vs {baseName}):").AppendLine();
        _summary.AppendLine("| scenario | threshold → SIGKILL | kill → memory back | kill → freed in the cgroup | extra kills | kernel OOM kills |");
        _summary.AppendLine("|---|---|---|---|---|---|");
        foreach (var s in scenarios)
        {
            var mine = results.Where(r => r.Scenario == s.Slug && r.Daemon == "reapd" && r.Counted).ToDictionary(r => r.Round);
            var pairs = results.Where(r => r.Scenario == s.Slug && r.Daemon == baseName && r.Counted && mine.ContainsKey(r.Round))
                .Select(r => (Mine: mine[r.Round], Base: r)).ToList();
            string Ratio(Func<RunResult, double> f) => Stats.MedianRange(pairs.Select(p => f(p.Mine) / f(p.Base)).ToList(), "F3");
            _summary.AppendLine($"| {s.Slug} | {Ratio(r => r.KillLatencyMs)} | {Ratio(r => r.MemoryBackMs)} | {Ratio(r => r.FreedMs)} | "
                + $"{pairs.Sum(p => p.Mine.ExtraKills)} vs {pairs.Sum(p => p.Base.ExtraKills)} | {pairs.Sum(p => p.Mine.KernelOomKills)} vs {pairs.Sum(p => p.Base.KernelOomKills)} |");
        }
        var mineIdle = idle.Where(i => i.Daemon == "reapd").ToDictionary(i => i.Window);
        var idlePairs = idle.Where(i => i.Daemon == baseName && mineIdle.ContainsKey(i.Window)).Select(i => (Mine: mineIdle[i.Window], Base: i)).ToList();
        if (idlePairs.Count > 0)
        {
            _summary.AppendLine($"| idle | CPU per window: {Stats.MedianRange(idlePairs.Select(p => p.Mine.CpuMs / p.Base.CpuMs).ToList(), "F2")} | "
                + $"RSS: {Stats.MedianRange(idlePairs.Select(p => (double)p.Mine.RssKiB / p.Base.RssKiB).ToList(), "F2")} | "
                + $"PSS: {Stats.MedianRange(idlePairs.Select(p => (double)p.Mine.PssKiB / p.Base.PssKiB).ToList(), "F2")} | | |");
        }
    }

    private static RunResult? Representative(List<RunResult> runs)
    {
        if (runs.Count == 0)
        {
            return null;
        }
        var withKill = runs.Where(r => !double.IsNaN(r.KillLatencyMs)).OrderBy(r => r.KillLatencyMs).ToList();
        return withKill.Count > 0 ? withKill[(withKill.Count - 1) / 2] : runs[0];
    }

    /// <summary>
    /// The freeze table of the swap-thrash scenarios (summary.md and README): per daemon the PSI stall of an incident,
    /// the kill's timing and the kills, and per peer the ratio reapd / peer of the full stall within each round.
    /// </summary>
    private void AppendStallSummary(IReadOnlyList<Scenario> scenarios, IReadOnlyList<string> daemons, List<RunResult> results)
    {
        if (scenarios.Count == 0)
        {
            return;
        }
        _summary.AppendLine().AppendLine("Swap thrash: the freeze per incident (PSI memory stall from the workload's start to the end of the run), median (min–max):").AppendLine();
        _summary.AppendLine(StallTableHead).AppendLine(StallTableRule);
        foreach (var s in scenarios)
        {
            foreach (string d in daemons)
            {
                var done = results.Where(r => r.Scenario == s.Slug && r.Daemon == d && r.Counted).ToList();
                if (done.Count > 0)
                {
                    _summary.AppendLine($"| {s.Slug} | " + StallRow(d, done));
                }
            }
        }
        var peers = daemons.Where(d => d != "reapd").ToList();
        _summary.AppendLine().AppendLine("PSI full stall per incident, reapd / peer within each round, median (min–max) (the target is 0.2 or less):").AppendLine();
        _summary.AppendLine("| scenario | " + string.Join(" | ", peers.Select(p => "reapd / " + p)) + " |");
        _summary.AppendLine("|---|" + string.Concat(peers.Select(_ => "---|")));
        foreach (var s in scenarios)
        {
            var mine = results.Where(r => r.Scenario == s.Slug && r.Daemon == "reapd" && r.Counted).ToDictionary(r => r.Round);
            var cells = peers.Select(p => Stats.MedianRange(results
                .Where(r => r.Scenario == s.Slug && r.Daemon == p && r.Counted && mine.ContainsKey(r.Round))
                .Select(r => mine[r.Round].PsiFullStallMs / r.PsiFullStallMs).ToList(), "F3"));
            _summary.AppendLine($"| {s.Slug} | " + string.Join(" | ", cells) + " |");
        }
    }

    private const string StallTableHead = "| scenario | daemon | runs | PSI full stall, ms | PSI some stall, ms | threshold → SIGKILL, ms | kill → freed in the cgroup, ms | victims killed | extra kills | kernel OOM kills | runs timed out (nothing killed the thrasher) |";

    private const string StallTableRule = "|---|---|---|---|---|---|---|---|---|---|---|";

    private static string StallRow(string daemon, List<RunResult> done) =>
        $"{daemon} | {done.Count} | {Stats.MedianRange(done.Select(r => r.PsiFullStallMs).ToList())} | {Stats.MedianRange(done.Select(r => r.PsiSomeStallMs).ToList())} | "
        + $"{Stats.MedianRange(done.Select(r => r.KillLatencyMs).ToList())} | {Stats.MedianRange(done.Select(r => r.FreedMs).ToList())} | "
        + $"{done.Sum(r => r.VictimKills)} | {done.Sum(r => r.ExtraKills)} | {done.Sum(r => r.KernelOomKills)} | {done.Count(r => r.TimedOut)} |";

    private string ScenarioMarkdown(Scenario s, IReadOnlyList<string> daemons, List<RunResult> runs)
    {
        var md = new StringBuilder();
        md.AppendLine($"# {s.Title}").AppendLine();
        md.AppendLine(s.Description).AppendLine();
        md.AppendLine(HeaderFor(scopeOf(s), runs.Select(r => r.SwapDescription).FirstOrDefault(x => x != null))).AppendLine();
        md.AppendLine($"![timeline]({s.Slug}.png)").AppendLine();
        if (s.MeasuresStall)
        {
            md.AppendLine($"![PSI stall]({s.Slug}-stall.png)").AppendLine();
            md.AppendLine("The freeze, per daemon (median (min–max) over the runs):").AppendLine();
            md.AppendLine(StallTableHead.Replace("| scenario ", "", StringComparison.Ordinal)).AppendLine(StallTableRule[4..]);
            foreach (string d in daemons)
            {
                var done = runs.Where(r => r.Daemon == d && r.Counted).ToList();
                if (done.Count > 0)
                {
                    md.AppendLine("| " + StallRow(d, done));
                }
            }
            md.AppendLine();
        }
        md.AppendLine("| daemon | runs | threshold → SIGKILL, ms | kill → memory back, ms | kill → freed in the cgroup, ms | victims killed | extra kills | kernel OOM kills | SIGKILL sent by | ramp, MiB/s |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|---|");
        foreach (string d in daemons)
        {
            var all = runs.Where(r => r.Daemon == d).ToList();
            var done = all.Where(r => r.Counted).ToList();
            // Runs whose workload never reached the kill line: named under the table, never counted as results.
            string voids = string.Join("; ", all.Where(r => r.Void != null).Select(r => $"run {r.Round}: {r.Void}"));
            if (done.Count == 0)
            {
                string why = all.Select(r => r.Skipped).FirstOrDefault(x => x != null)
                    ?? (voids.Length > 0 ? "no run happened (" + voids + ")" : "not run");
                md.AppendLine($"| {d} | 0 | skipped: {why} | | | | | | | |");
                _summary.AppendLine($"| {s.Slug} | {d} | skipped: {why} | | | | | |");
                continue;
            }
            string latency = Stats.MedianRange(done.Select(r => r.KillLatencyMs).ToList());
            string back = Stats.MedianRange(done.Select(r => r.MemoryBackMs).ToList());
            string freed = Stats.MedianRange(done.Select(r => r.FreedMs).ToList());
            int victims = done.Sum(r => r.VictimKills);
            int extra = done.Sum(r => r.ExtraKills);
            long kernel = done.Sum(r => r.KernelOomKills);
            string by = string.Join(", ", done.Select(r => r.VictimKill?.By ?? "nobody").GroupBy(x => x).Select(g => $"{g.Key} ×{g.Count()}"));
            string ramp = Stats.MedianRange(done.Select(r => r.RampMiBs).ToList());
            string errors = string.Join("; ", done.Where(r => r.Error != null || r.TimedOut).Select(r => $"run {r.Round}: {(r.TimedOut ? "timed out" : "")}{r.Error}"));
            int voidCount = all.Count(r => r.Void != null);
            string notCounted = voidCount > 0 ? $" ({voidCount} more did not happen)" : "";
            md.AppendLine($"| {d} | {done.Count}{notCounted} | {latency} | {back} | {freed} | {victims} | {extra} | {kernel} | {by} | {ramp} |");
            _summary.AppendLine($"| {s.Slug} | {d}{notCounted} | {latency} | {back} | {victims} | {extra} | {kernel} | {by} |");
            if (errors.Length > 0)
            {
                md.AppendLine().AppendLine($"{d}: {errors}").AppendLine();
            }
            if (voids.Length > 0)
            {
                md.AppendLine().AppendLine($"{d}: did not happen, not counted: {voids}").AppendLine();
            }
        }
        md.AppendLine();
        AppendRatios(md, daemons, runs);
        md.AppendLine("## Every run").AppendLine();
        md.AppendLine("| daemon | run | line crossed at, s | first SIGTERM, s | kills (s after start: pid role by, back after ms) | extra | kernel OOM (cgroup / vmstat) | notes |");
        md.AppendLine("|---|---|---|---|---|---|---|---|");
        foreach (var r in runs.Where(r => r.Skipped is null).OrderBy(r => r.Daemon, StringComparer.Ordinal).ThenBy(r => r.Round))
        {
            string kills = string.Join("<br>", r.Kills.Select(k => string.Create(CultureInfo.InvariantCulture,
                $"{k.TimeS - r.StartS:F3}: {k.Pid} {k.Role} by {k.By}, {k.RssKiB / 1024} MiB, back {AfterKill(k, k.MemoryBackS)}{(k.Role == "worker" ? ", freed " + AfterKill(k, k.FreedS) : "")}{(k.Premature ? " (premature)" : "")}{(k.SampleGapMs > SampleGapNoteMs ? $" (no sample for {k.SampleGapMs:F0} ms around it)" : "")}")));
            string notes = string.Join("; ", new[]
            {
                r.Void is null ? null : "**did not happen, not counted**: " + r.Void,
                r.TimedOut ? "timed out" : null,
                r.VictimKill is { } vk && double.IsNaN(vk.MemoryBackS) && !double.IsNaN(vk.FreedS)
                    ? string.Create(CultureInfo.InvariantCulture, $"the victim's memory left the cgroup {(vk.FreedS - vk.TimeS) * 1000:F0} ms after the kill, but MemAvailable never rose by {RunAnalysis.BackShare:P0} of it (freed pages can stay on the per-CPU free lists, which MemAvailable does not count)")
                    : null,
                r.CrossingEstimated ? "no sample saw the line crossed before the kill: latency from the last sample above it (an upper bound)" : null,
                r.Error,
                double.IsNaN(r.SafetyValveS) ? null : string.Create(CultureInfo.InvariantCulture, $"safety valve released ballast at {r.SafetyValveS - r.StartS:F2} s"),
                r.OutsiderKills.Count > 0 ? "outside the workload: " + string.Join(", ", r.OutsiderKills) : null,
                r.DaemonActions.Count > 0 ? $"{r.Daemon}'s events: " + string.Join(", ", r.DaemonActions) : null,
                r.OwnChildSignals.Count > 0 ? $"not counted, {r.Daemon}'s own child: " + string.Join(", ", r.OwnChildSignals) : null,
            }.Where(x => x != null));
            md.AppendLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Daemon} | {r.Round} | {Seconds(r.KillCrossS - r.StartS)} | {Seconds(r.FirstTermS - r.StartS)} | {kills} | {r.ExtraKills} | {r.KernelOomKills} / {r.VmstatOomKillDelta} | {notes} |"));
        }
        md.AppendLine();
        md.AppendLine(ColumnNotes);
        return md.ToString();
    }

    private static string Seconds(double s) => double.IsNaN(s) ? "—" : s.ToString("F3", CultureInfo.InvariantCulture);

    private static void AppendRatios(StringBuilder md, IReadOnlyList<string> daemons, List<RunResult> runs)
    {
        if (!daemons.Contains("reapd"))
        {
            return;
        }
        var reapd = runs.Where(r => r.Daemon == "reapd" && r.Counted).ToDictionary(r => r.Round);
        if (reapd.Count == 0)
        {
            return;
        }
        md.AppendLine("Ratios reapd / peer, computed per round (the same round runs every daemon back to back), then median (min–max):").AppendLine();
        md.AppendLine("| peer | threshold → SIGKILL, reapd / peer | kill → memory back, reapd / peer |");
        md.AppendLine("|---|---|---|");
        foreach (string peer in daemons.Where(d => d != "reapd"))
        {
            var lat = new List<double>();
            var back = new List<double>();
            foreach (var p in runs.Where(r => r.Daemon == peer && r.Counted))
            {
                if (reapd.TryGetValue(p.Round, out var mine))
                {
                    lat.Add(mine.KillLatencyMs / p.KillLatencyMs);
                    back.Add(mine.MemoryBackMs / p.MemoryBackMs);
                }
            }
            md.AppendLine($"| {peer} | {Stats.MedianRange(lat, "F3")} | {Stats.MedianRange(back, "F3")} |");
        }
        md.AppendLine();
    }

    /// <summary>A kill with no sample for longer than this around it says so: its figures are read that coarsely.</summary>
    private const double SampleGapNoteMs = 6;

    private static string AfterKill(KillRecord k, double timeS) =>
        double.IsNaN(timeS) ? "never" : ((timeS - k.TimeS) * 1000).ToString("F0", CultureInfo.InvariantCulture) + " ms";

    private const string ColumnNotes = """
        Columns: **threshold → SIGKILL**: from the first sample (every ~2 ms) with available memory below the SIGKILL line
        to the kernel's signal_generate event of the SIGKILL to the victim (negative: the kill came before the line).
        **kill → memory back**: from that SIGKILL to the first sample where available memory is up by 80 % of the
        victim's resident size just before the kill (fork storm: until the victim's own resident memory is gone, as the
        other workers keep allocating). **kill → freed in the cgroup**: the same on the workload cgroup's usage, which
        does not lag as MemAvailable can (fork storm: until the cgroup's charge that no worker maps, usage minus the
        workers' RSS, is back within 20 % of the victim's size: a victim's RSS reads 0 as soon as its pages are
        unmapped, but the pages its own exit unmapped are freed only when that exit runs again, after
        process_mrelease has returned). **victims killed**: kills of the intended victim (or of fork-storm workers),
        summed over runs. **extra kills**: kills of a process that should have lived (the small hog, the decoy, the
        fork storm's parent or a short-lived child, the FUSE server), kills issued before the previous victim's memory
        was back (fork storm: freed in the cgroup) ("premature", as the runner samples it: every ~2 ms, later when the
        CPUs are busy, so a kill within a few ms of the previous victim's memory going can be flagged; a kill with no
        sample for more than 6 ms around it says so in its row), and any kill outside the workload by the daemon
        (the ballast included), summed over runs. SIGKILLs the kernel's OOM killer sent that the tracepoint did not
        show are taken from its "Killed process" lines in /dev/kmsg (their clock offset is measured at start). **kernel OOM
        kills**: the workload cgroup's memory.oom_control oom_kill, summed (the per-run table also shows the
        machine-wide /proc/vmstat oom_kill delta, which can include other users' memory-cgroup OOMs). "[k of n]": only k
        runs had a value (e.g. memory never came back within the run). Median over runs, range in brackets.
        """;

    private string IdleMarkdown(List<IdleResult> idle)
    {
        var md = new StringBuilder();
        md.AppendLine("# Idle: the cost of watching while nothing happens").AppendLine();
        md.AppendLine("Every daemon runs side by side, guarding the whole machine with the same lines, while nothing happens. "
            + "Each window measures CPU time (the threads' runtime from /proc/PID/task/*/schedstat, to the nanosecond; utime + stime "
            + "from /proc/PID/stat, in 10 ms ticks, for comparison) and, at its end, RSS and PSS (/proc/PID/smaps_rollup). "
            + "`wake-floor` is no OOM killer: a C program (bench/native/wakefloor.c) that wakes once a second from poll(2) and does "
            + "nothing else, the floor of what a once-a-second watch costs on this machine.").AppendLine();
        md.AppendLine(Header).AppendLine();
        md.AppendLine("| daemon | windows | CPU per window, ms | CPU, % of one core | utime+stime per window, ms | RSS, MiB | PSS, MiB |");
        md.AppendLine("|---|---|---|---|---|---|---|");
        _summary.AppendLine().AppendLine("| idle | daemon | CPU per window, ms | RSS, MiB | PSS, MiB |").AppendLine("|---|---|---|---|---|");
        foreach (var g in idle.GroupBy(i => i.Daemon))
        {
            var list = g.ToList();
            string cpu = Stats.MedianRange(list.Select(i => i.CpuMs).ToList(), "F1");
            string ticks = Stats.MedianRange(list.Select(i => i.TicksCpuMs).ToList());
            string pct = Stats.MedianRange(list.Select(i => i.CpuPercentOfCore).ToList(), "F3");
            string rss = Stats.MedianRange(list.Select(i => i.RssKiB / 1024.0).ToList(), "F1");
            string pss = Stats.MedianRange(list.Select(i => i.PssKiB / 1024.0).ToList(), "F1");
            md.AppendLine($"| {g.Key} | {list.Count} | {cpu} | {pct} | {ticks} | {rss} | {pss} |");
            _summary.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| {list[0].WindowS:F0} s | {g.Key} | {cpu} | {rss} | {pss} |"));
        }
        var reapd = idle.Where(i => i.Daemon == "reapd").ToDictionary(i => i.Window);
        if (reapd.Count > 0)
        {
            md.AppendLine().AppendLine("Ratios reapd / peer per window, median (min–max):").AppendLine();
            md.AppendLine("| peer | CPU | RSS | PSS |").AppendLine("|---|---|---|---|");
            foreach (var g in idle.Where(i => i.Daemon != "reapd").GroupBy(i => i.Daemon))
            {
                var pairs = g.Where(i => reapd.ContainsKey(i.Window)).Select(i => (Mine: reapd[i.Window], Peer: i)).ToList();
                md.AppendLine($"| {g.Key} | {Stats.MedianRange(pairs.Select(p => p.Mine.CpuMs / p.Peer.CpuMs).ToList(), "F2")} | "
                    + $"{Stats.MedianRange(pairs.Select(p => (double)p.Mine.RssKiB / p.Peer.RssKiB).ToList(), "F2")} | "
                    + $"{Stats.MedianRange(pairs.Select(p => (double)p.Mine.PssKiB / p.Peer.PssKiB).ToList(), "F2")} |");
            }
        }
        return md.ToString();
    }

    private static void WriteCsv(string path, List<RunResult> results)
    {
        using var w = new StreamWriter(path);
        w.WriteLine("scenario,daemon,round,skipped,error,timed_out,kill_line_crossed_s,first_sigterm_s,victim_sigkill_s,killed_by,threshold_to_sigkill_ms,kill_to_memory_back_ms,kill_to_freed_ms,victims_killed,extra_kills,kernel_oom_kills,vmstat_oom_kill_delta,ramp_mib_s,safety_valve_s,psi_full_stall_ms,psi_some_stall_ms,did_not_happen");
        foreach (var r in results)
        {
            string F(double v) => double.IsNaN(v) ? "" : v.ToString("F4", CultureInfo.InvariantCulture);
            string Q(string? s) => s is null ? "" : "\"" + s.Replace("\"", "'", StringComparison.Ordinal) + "\"";
            w.WriteLine(string.Join(",", r.Scenario, r.Daemon, r.Round, Q(r.Skipped), Q(r.Error), r.TimedOut ? "1" : "0",
                F(r.KillCrossS - r.StartS), F(r.FirstTermS - r.StartS), F((r.VictimKill?.TimeS ?? double.NaN) - r.StartS), r.VictimKill?.By ?? "",
                F(r.KillLatencyMs), F(r.MemoryBackMs), F(r.FreedMs), r.VictimKills, r.ExtraKills, r.KernelOomKills, r.VmstatOomKillDelta,
                F(r.RampMiBs), F(r.SafetyValveS - r.StartS), F(r.PsiFullStallMs), F(r.PsiSomeStallMs), Q(r.Void)));
        }
    }

    /// <summary>Replaces the generated part of README.md's Performance section with summary.md's table.</summary>
    public void UpdateReadme(string readmePath, string resultsDir)
    {
        if (!File.Exists(readmePath))
        {
            return;
        }
        string text = File.ReadAllText(readmePath);
        int b = text.IndexOf(ReadmeBegin, StringComparison.Ordinal);
        int e = text.IndexOf(ReadmeEnd, StringComparison.Ordinal);
        if (b < 0 || e < b)
        {
            Console.WriteLine("bench: README.md has no bench markers in its Performance section; not updated");
            return;
        }
        string body = File.ReadAllText(Path.Combine(resultsDir, "summary.md"));
        text = string.Concat(text.AsSpan(0, b + ReadmeBegin.Length), "\n", body, text.AsSpan(e));
        File.WriteAllText(readmePath, text);
    }
}
