using System.Globalization;
using System.Runtime.InteropServices;

namespace Reapd.Bench;

/// <summary>
/// Runs every scenario for every daemon, round by round (the daemons' order rotates each round, and reapd's ratios to
/// a peer are taken within one round), with the safety guards: refuses to start a run when memory is short, a hard
/// timeout per run, kills only what it started (its cgroup's processes and its own children), and always stops the
/// daemons and frees the ballast, on errors and Ctrl-C too.
/// </summary>
internal sealed class BenchRunner : IDisposable
{
    /// <summary>Quick mode: the workload cgroup's limit.</summary>
    private const long QuickLimitBytes = 512L << 20;

    /// <summary>Quick mode: the machine must keep this much available besides the cgroup's limit.</summary>
    private const long QuickSpareKiB = 4L << 20;

    private readonly BenchOptions _options;
    private readonly string _root;
    private readonly string _resultsDir;
    private readonly string _rawDir;
    private readonly CancellationTokenSource _cancel = new();
    private readonly List<PosixSignalRegistration> _signals = [];
    private SignalTrace? _trace;
    private KernelLog? _kernelLog;
    private Ballast? _ballast;
    private int _sequence;

    /// <summary>The oom_score_adj the ballast got (for the report), or null when there was none.</summary>
    public int? BallastAdj { get; private set; }

    public BenchRunner(BenchOptions options, string repositoryRoot)
    {
        _options = options;
        _root = repositoryRoot;
        _resultsDir = options.ResultsDirectory ?? Path.Combine(repositoryRoot, "bench", "results");
        _rawDir = Path.Combine(_resultsDir, "raw", DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture));
        foreach (var sig in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM, PosixSignal.SIGHUP })
        {
            _signals.Add(PosixSignalRegistration.Create(sig, ctx =>
            {
                ctx.Cancel = true;
                Console.Error.WriteLine($"bench: {ctx.Signal}: stopping after cleanup");
                _cancel.Cancel();
            }));
        }
    }

    public int Run()
    {
        if (Environment.UserName != "root")
        {
            Console.Error.WriteLine("bench: must run as root (tracefs, memory cgroups, oom_score_adj, the daemons)");
            return 3;
        }
        if (_options.InGuest && !WorkloadCgroup.IsUnified)
        {
            Console.Error.WriteLine($"bench: --in-guest needs the unified cgroup hierarchy at {WorkloadCgroup.V2Mount}");
            return 3;
        }
        if (!_options.InGuest && !Directory.Exists(WorkloadCgroup.V1MemoryMount + "/"))
        {
            Console.Error.WriteLine($"bench: needs the cgroup v1 memory controller at {WorkloadCgroup.V1MemoryMount}");
            return 3;
        }
        if (OtherOomKillers() is { Length: > 0 } others)
        {
            Console.Error.WriteLine($"bench: another OOM killer is running ({others}); stop it first, it would act in every run");
            return 1;
        }
        Directory.CreateDirectory(_rawDir);
        // A runner that crashed with its swap on: remove it before anything else runs (under the swap lock).
        Swap.SwapSpace.CleanLeftover(Console.Out);
        var programs = BuildPrograms(_root);
        var daemons = ChooseDaemons(out var unavailable);
        var scenarios = ChooseScenarios();
        long memTotalKiB = ProcFiles.MemTotalKiB;
        var systemScope = new BenchScope(false, memTotalKiB);
        var scope = _options.Quick ? new BenchScope(true, QuickLimitBytes / 1024) : systemScope;
        Console.WriteLine($"bench: {(_options.Quick ? "quick" : "full")} mode, scope: {scope.Describe}; lines: SIGTERM below "
            + $"{scope.TermLineKiB / 1024} MiB, SIGKILL below {scope.KillLineKiB / 1024} MiB; {_options.Runs} runs; daemons: "
            + string.Join(", ", daemons.Select(d => d.Name)) + (unavailable.Count > 0 ? "; unavailable: " + string.Join("; ", unavailable.Select(u => $"{u.Key}: {u.Value}")) : ""));
        _trace = SignalTrace.Open();
        _kernelLog = KernelLog.Open();
        Console.WriteLine(_trace.Available ? "bench: kill times from tracefs signal:signal_generate" : $"bench: {_trace.Why}; kill times from the runner's own observation");

        var results = new List<RunResult>();
        var idle = new List<IdleResult>();
        var started = DateTime.UtcNow;
        try
        {
            if (WantScenario("idle"))
            {
                Console.WriteLine($"bench: idle, {_options.Runs} windows of {_options.IdleSeconds} s, daemons side by side");
                // With the floor of a once-a-second watch beside them (bench/native/wakefloor.c): what no daemon waking
                // that often can go below on this machine.
                idle = IdleBench.Run(daemons.Where(d => d is not KernelOnly).Append(new WakeFloor(programs.WakeFloor)).ToList(), _options.Runs, _options.IdleSeconds, _rawDir, _cancel.Token);
            }
            if (!_options.Quick && scenarios.FirstOrDefault(s => s.UsesBallast) is { } first && !_cancel.IsCancellationRequested)
            {
                if (!FitBallast(scope, programs, first.RampAboveKillLineKiB, out string? why))
                {
                    Console.Error.WriteLine("bench: " + why);
                    return 1;
                }
                BallastAdj = _ballast!.OomScoreAdj;
                Console.WriteLine($"bench: ballast {_ballast.HeldMiB} MiB at oom_score_adj {BallastAdj}");
            }
            foreach (var scenario in scenarios)
            {
                var scenarioScope = ScopeOf(scenario, scope);
                Swap.SwapSpace? swap = null;
                if (!scenario.UsesBallast && _ballast != null)
                {
                    // The swap scenarios come last; with swap on, the kernel could push the ballast out to it.
                    _ballast.Dispose();
                    _ballast = null;
                }
                try
                {
                    swap = scenario.CreateSwap();
                    if (swap != null)
                    {
                        Console.WriteLine($"bench: {scenario.Slug}: {swap.Describe}");
                    }
                }
                catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException)
                {
                    results.AddRange(daemons.Select(d => new RunResult { Scenario = scenario.Slug, Daemon = d.Name, Round = 0, Skipped = "no swap: " + e.Message.Split('\n')[0] }));
                    continue;
                }
                try
                {
                    for (int round = 1; round <= _options.Runs && !_cancel.IsCancellationRequested; round++)
                    {
                        for (int i = 0; i < daemons.Count && !_cancel.IsCancellationRequested; i++)
                        {
                            var daemon = daemons[(i + round - 1) % daemons.Count];
                            var r = RunOne(scenario, daemon, round, scenarioScope, programs);
                            r.SwapDescription = swap?.Describe;
                            results.Add(r);
                            Console.WriteLine("bench: " + Describe(r));
                        }
                    }
                }
                finally
                {
                    // swapoff brings back nothing: every run's cgroup is empty and removed by now.
                    swap?.Dispose();
                }
                foreach (var (name, why) in unavailable)
                {
                    results.Add(new RunResult { Scenario = scenario.Slug, Daemon = name, Round = 0, Skipped = why });
                }
            }
        }
        finally
        {
            _ballast?.Dispose();
            _ballast = null;
        }
        var report = new Report(_options, scope, s => ScopeOf(s, scope), _trace.Available ? "tracefs signal:signal_generate" : _trace.Why, started, DateTime.UtcNow, BallastAdj);
        report.Write(_resultsDir, scenarios, daemons.Select(d => d.Name).Concat(unavailable.Keys).ToList(), results, idle);
        if (_options.UpdateReadme && _options.ResultsDirectory is null)
        {
            report.UpdateReadme(Path.Combine(_root, "README.md"), _resultsDir);
        }
        Console.WriteLine($"bench: results in {_resultsDir} (raw logs in {_rawDir})");
        return _cancel.IsCancellationRequested ? 130 : 0;
    }

    /// <summary>Every scenario by default; in a guest only its own (idle is the host's measurement) unless named.</summary>
    private bool WantScenario(string slug) =>
        _options.Scenarios is null ? !_options.InGuest || slug.EndsWith("-guest", StringComparison.Ordinal) : _options.Scenarios.Contains(slug);

    /// <summary>The scope of a scenario's runs: its own memory cgroup when it has one (swap thrash), else the run's.</summary>
    private static BenchScope ScopeOf(Scenario scenario, BenchScope scope) =>
        scenario.CgroupLimitBytes is long limit ? new BenchScope(true, limit / 1024) : scope;

    private List<Scenario> ChooseScenarios()
    {
        if (_options.InGuest)
        {
            // The guest mode's own scenario; the host's need cgroup v1 (memsw) or the ballast.
            return new List<Scenario> { new Swap.GuestSwapThrashScenario(), new Swap.ServiceSliceScenario() }.Where(s => WantScenario(s.Slug)).ToList();
        }
        var all = new List<Scenario> { new RampScenario(fullSpeed: false), new RampScenario(fullSpeed: true), new SmallAndBigScenario(),
            new BlockedExitScenario(), new ForkStormScenario(), new Swap.SwapThrashScenario("zram"), new Swap.SwapThrashScenario("file") };
        return all.Where(s => WantScenario(s.Slug)).ToList();
    }

    private List<Daemon> ChooseDaemons(out Dictionary<string, string> unavailable)
    {
        unavailable = [];
        var list = new List<Daemon>();
        foreach (string name in _options.DaemonNames)
        {
            switch (name)
            {
                case "kernel":
                    list.Add(new KernelOnly());
                    break;
                case "earlyoom" or "nohang" when !OnPath(name):
                    unavailable[name] = $"{name} is not installed (apt-get install {name})";
                    break;
                case "earlyoom":
                    list.Add(new Earlyoom());
                    break;
                case "nohang":
                    list.Add(new Nohang());
                    break;
                case "systemd-oomd" when !File.Exists(Swap.SystemdOomd.Binary):
                    unavailable[name] = $"{Swap.SystemdOomd.Binary} is not installed (apt-get install systemd-oomd)";
                    break;
                case "systemd-oomd" when !WorkloadCgroup.IsUnified || !Directory.Exists("/run/systemd/system"):
                    unavailable[name] = "systemd-oomd needs systemd as PID 1 on cgroup v2 (the guest mode)";
                    break;
                case "systemd-oomd":
                    list.Add(new Swap.SystemdOomd());
                    break;
                case "mglru" when Swap.Mglru.Missing() is { } why:
                    unavailable[name] = why;
                    break;
                case "mglru":
                    list.Add(new Swap.Mglru());
                    break;
                default:
                    // reapd, or reapd-base: the --baseline binary, given, so never published here.
                    string? given = name == BenchOptions.BaselineDaemon ? _options.BaselineBinary : _options.ReapdBinary;
                    var (binary, missing) = ReapdBinary.Locate(_root, given);
                    if (binary != null)
                    {
                        list.Add(new ReapdDaemon(name, binary, SharedMachineNames.CommNames(_root).ToList()));
                    }
                    else
                    {
                        unavailable[name] = missing!;
                    }
                    break;
            }
        }
        return list;
    }

    /// <summary>
    /// System-wide, every killer ranks the whole machine. A process the runner did not start, at oom_score_adj > 0
    /// (another user's test hog at 1000, say), can outrank the runner's own workload and be killed. Waits (bounded)
    /// until there is none; returns what is still there, or "".
    /// </summary>
    private string WaitForNoOutsiderCandidates(TimeSpan timeout)
    {
        double deadline = Clock.NowS + timeout.TotalSeconds;
        bool told = false;
        while (true)
        {
            var found = new List<string>();
            foreach (string dir in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(Path.GetFileName(dir), CultureInfo.InvariantCulture, out int pid) || pid == _ballast?.Pid)
                {
                    continue;
                }
                if (int.TryParse((ProcFiles.TryRead(Path.Combine(dir, "oom_score_adj")) ?? "").Trim(), CultureInfo.InvariantCulture, out int adj) && adj > 0
                    && !Workload.IsDeadOrDying(pid))
                {
                    found.Add($"{(ProcFiles.TryRead(Path.Combine(dir, "comm")) ?? "?").Trim()} {pid} adj {adj}");
                }
            }
            if (found.Count == 0 || Clock.NowS > deadline || _cancel.IsCancellationRequested)
            {
                return string.Join(", ", found);
            }
            if (!told)
            {
                Console.WriteLine($"bench: waiting for processes at oom_score_adj > 0 that the runner did not start to go: {string.Join(", ", found)}");
                told = true;
            }
            Thread.Sleep(250);
        }
    }

    /// <summary>earlyoom, nohang or an oomd already running (a packaged service, say), which would act in every run.</summary>
    private static string OtherOomKillers()
    {
        var found = new List<string>();
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            string name = Path.GetFileName(dir);
            if (!int.TryParse(name, CultureInfo.InvariantCulture, out int pid))
            {
                continue;
            }
            string comm = (ProcFiles.TryRead(Path.Combine(dir, "comm")) ?? "").Trim();
            string cmdline = (ProcFiles.TryRead(Path.Combine(dir, "cmdline")) ?? "").Replace('\0', ' ');
            if (comm is "earlyoom" or "systemd-oomd" or "oomd" || (cmdline.Contains("/usr/sbin/nohang", StringComparison.Ordinal) && cmdline.Contains("--monitor", StringComparison.Ordinal)))
            {
                found.Add($"{comm} pid {pid}");
            }
        }
        return string.Join(", ", found);
    }

    private static bool OnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => File.Exists(Path.Combine(d, name)))
        || File.Exists("/usr/sbin/" + name);

    /// <summary>The C programs, built once per source content (also on its own: --build-programs).</summary>
    public static NativeBinaries BuildPrograms(string root)
    {
        string hog = NativePrograms.Build(root, "tests/native/hog.c");
        string storm = NativePrograms.Build(root, "bench/native/forkstorm.c");
        string ballast = NativePrograms.Build(root, "bench/native/ballast.c");
        string sigblock = NativePrograms.Build(root, "bench/native/sigblock.c");
        string wakeFloor = NativePrograms.Build(root, "bench/native/wakefloor.c");
        string fuseSource = Path.Combine(root, "tests", "native", "fuse_stuck.c");
        if (!File.Exists(fuseSource))
        {
            return new NativeBinaries(hog, storm, ballast, sigblock, wakeFloor, null, "tests/native/fuse_stuck.c is not in this tree yet (it comes with the foundation work; merge main)");
        }
        return new NativeBinaries(hog, storm, ballast, sigblock, wakeFloor, NativePrograms.Build(root, "tests/native/fuse_stuck.c", "-pthread"), null);
    }

    /// <summary>System-wide: sets the ballast so that available memory sits the scenario's ramp above the kill line. Refuses (false) when the machine cannot give that much even with no ballast.</summary>
    private bool FitBallast(BenchScope scope, NativeBinaries programs, long rampAboveKillLineKiB, out string? why)
    {
        why = null;
        long target = scope.KillLineKiB + rampAboveKillLineKiB;
        if (_ballast is { IsAlive: false })
        {
            Console.WriteLine("bench: the ballast was killed; starting a new one");
            _ballast.Dispose();
            _ballast = null;
        }
        _ballast ??= new Ballast(programs.Ballast);
        for (int attempt = 0; attempt < 4; attempt++)
        {
            long available = ProcFiles.MemAvailableKiB;
            long held = _ballast!.HeldMiB * 1024;
            long newHeld = held + available - target;
            if (newHeld < 0)
            {
                why = $"memory is short: {(available + held) / 1024} MiB could be available, a run needs {target / 1024} MiB; refusing to start";
                return false;
            }
            if (Math.Abs(newHeld - held) < 128 * 1024)
            {
                return true;
            }
            if (newHeld > held)
            {
                Console.WriteLine($"bench: ballast {held / 1024} -> {newHeld / 1024} MiB (about 1 GiB/s in this VM)");
            }
            _ballast.Set(newHeld / 1024);
            // MemAvailable can lag a release by a moment; read again before deciding.
            Thread.Sleep(300);
        }
        return true;
    }

    private RunResult RunOne(Scenario scenario, Daemon daemon, int round, BenchScope scope, NativeBinaries programs)
    {
        var r = new RunResult { Scenario = scenario.Slug, Daemon = daemon.Name, Round = round, TermLineKiB = scope.TermLineKiB, KillLineKiB = scope.KillLineKiB };
        if (scenario.SkipReason(programs, scope) is { } skip)
        {
            r.Skipped = skip;
            return r;
        }
        string runDir = Path.Combine(_rawDir, scenario.Slug);
        Directory.CreateDirectory(runDir);
        string tag = $"{daemon.Name}-{round}";
        // Preflight: enough memory for this run, or refuse it.
        bool cgroupScope = _options.Quick || scenario.CgroupLimitBytes is not null;
        long limitBytes = scenario.CgroupLimitBytes ?? QuickLimitBytes;
        if (cgroupScope)
        {
            long available = ProcFiles.MemAvailableKiB;
            // A guest is small (1.5 GiB): its runs keep a smaller margin beside the cgroup's limit.
            long spareKiB = _options.InGuest ? 256 * 1024 : QuickSpareKiB;
            if (available < limitBytes / 1024 + spareKiB)
            {
                r.Skipped = $"memory short: {available / 1024} MiB available, the run's cgroup wants {(limitBytes / 1024 + spareKiB) / 1024}";
                return r;
            }
        }
        else if (scenario.UsesBallast && !FitBallast(scope, programs, scenario.RampAboveKillLineKiB, out string? why))
        {
            r.Skipped = why;
            return r;
        }
        else if (WaitForNoOutsiderCandidates(TimeSpan.FromSeconds(60)) is { Length: > 0 } outsiders)
        {
            r.Skipped = "other processes with oom_score_adj > 0 stayed for 60 s (" + outsiders + "); a killer would take them";
            return r;
        }
        using var cgroup = WorkloadCgroup.Create($"reapd-bench-{Environment.ProcessId}-{++_sequence}", cgroupScope ? limitBytes : null, scenario.CgroupSwapBytes, scenario.CgroupHighBytes);
        ChildProcess? daemonProcess = null;
        Workload? workload = null;
        MemorySampler? sampler = null;
        long oomBefore = ProcFiles.VmstatOomKills;
        try
        {
            _trace!.Clear();
            _kernelLog!.ReadOomKills();
            daemonProcess = daemon.Start(scope, cgroup, runDir);
            Thread.Sleep(500);
            sampler = new MemorySampler(cgroup, cgroupScope, intervalMs: 2);
            Thread.Sleep(50);
            long rampKiB = (cgroupScope ? cgroup.LimitBytes / 1024 : ProcFiles.MemAvailableKiB) - scope.KillLineKiB;
            var context = new ScenarioContext(programs, scope, cgroup, sampler, Math.Max(64 * 1024, rampKiB), cgroupScope);
            r.StartS = Clock.NowS;
            workload = scenario.Start(context);
            double doneAt = double.NaN, lastValve = 0, shortSince = double.NaN, crossedAt = double.NaN;
            while (!_cancel.IsCancellationRequested)
            {
                workload.Tick();
                double now = Clock.NowS;
                if (double.IsNaN(doneAt) && workload.Done)
                {
                    doneAt = now;
                }
                if (!double.IsNaN(doneAt) && now > doneAt + scenario.TailS)
                {
                    break;
                }
                if (double.IsNaN(crossedAt) && sampler.Latest.AvailableKiB < scope.KillLineKiB && sampler.Latest.TimeS > r.StartS)
                {
                    crossedAt = now;
                }
                if (now > r.StartS + scenario.TimeoutS || now > crossedAt + scenario.AfterLineTimeoutS)
                {
                    r.TimedOut = true;
                    break;
                }
                // Safety valve: nothing of ours is left to kill and memory is below the SIGTERM line. After 50 ms (a
                // killed victim's memory normally shows up within that; longer lets a daemon move on to the ballast or
                // to processes the runner did not start) give memory back, 1 GiB at a time, until memory is 512 MiB
                // above the SIGTERM line. "Memory back" is then read from the cgroup's usage, which this does not move.
                bool exposed = _ballast != null && !workload.AnyKillableAlive
                    && sampler.Latest.AvailableKiB < scope.TermLineKiB + (double.IsNaN(r.SafetyValveS) ? 0 : 512 * 1024);
                shortSince = exposed ? (double.IsNaN(shortSince) ? now : shortSince) : double.NaN;
                if (exposed && now - shortSince > 0.05 && now - lastValve > 0.1 && _ballast!.IsAlive && _ballast.HeldMiB > 0)
                {
                    _ballast.Set(_ballast.HeldMiB - 1024);
                    lastValve = now;
                    if (double.IsNaN(r.SafetyValveS))
                    {
                        r.SafetyValveS = now;
                    }
                }
                Thread.Sleep(5);
            }
            r.EndS = Clock.NowS;
            if (daemonProcess is { HasExited: true })
            {
                r.Error = $"{daemon.Name} exited during the run (exit {daemonProcess.ExitCode})";
            }
            r.KernelOomKills = cgroup.KernelOomKills;
            r.VmstatOomKillDelta = ProcFiles.VmstatOomKills - oomBefore;
            var events = _trace.Read(out string[] rawTrace, out var forks);
            File.WriteAllLines(Path.Combine(runDir, tag + ".trace"), rawTrace);
            var kernelKills = _kernelLog.ReadOomKills();
            RunAnalysis.Fill(r, sampler.Samples, events, forks, _trace.Available, workload, daemonProcess, daemon.Name, _ballast?.Pid ?? -1, sampler, kernelKills);
            if (scenario.MustCrossKillLine && r.Error is null)
            {
                r.Void = RunAnalysis.DidNotHappen(r);
            }
            File.WriteAllLines(Path.Combine(runDir, tag + ".signals"), events.Select(e => e.ToString())
                .Concat(kernelKills.Select(k => string.Create(CultureInfo.InvariantCulture, $"kmsg: {(k.Value.Global ? "global" : "memcg")} OOM kill of {k.Key} at {k.Value.TimeS:F6}"))));
        }
        // Whatever one run hits is that run's error: the other runs and the report go on.
        catch (Exception e) when (e is InvalidOperationException or IOException or UnauthorizedAccessException or FormatException or ArgumentException)
        {
            r.Error = e.Message.Split('\n')[0];
            if (r.EndS == 0)
            {
                r.EndS = Clock.NowS;
            }
        }
        finally
        {
            daemonProcess?.Stop(TimeSpan.FromSeconds(3));
            daemon.AfterStop();
            if (workload != null)
            {
                File.WriteAllText(Path.Combine(runDir, tag + ".workload.log"), workload.Logs());
                workload.Dispose();
            }
            if (daemonProcess != null)
            {
                File.WriteAllText(Path.Combine(runDir, tag + ".daemon.log"), daemonProcess.Log());
                if (daemon is ReapdDaemon)
                {
                    KeepEventLog(r, daemonProcess);
                }
                daemonProcess.Dispose();
            }
            sampler?.Dispose();
        }
        cgroup.Dispose();
        WriteSamples(Path.Combine(runDir, tag + ".csv"), r);
        return r;
    }

    /// <summary>
    /// reapd's JSON events of the run, as it wrote them on stdout (start to stop), kept beside the tables as
    /// events-SCENARIO-DAEMON-ROUND.jsonl (the raw directory is not published, and a guest copies out only the results
    /// directory's own files); and each signal with the condition that triggered it, for the run's notes.
    /// </summary>
    private void KeepEventLog(RunResult r, ChildProcess daemonProcess)
    {
        var lines = ReapdEventLog.JsonLines(daemonProcess.Lines.Select(l => l.Line)).ToList();
        Directory.CreateDirectory(_resultsDir);
        File.WriteAllLines(Path.Combine(_resultsDir, $"events-{r.Scenario}-{r.Daemon}-{r.Round}.jsonl"), lines);
        r.DaemonActions.AddRange(ReapdEventLog.Actions(lines));
    }

    private static void WriteSamples(string path, RunResult r)
    {
        using var w = new StreamWriter(path);
        w.WriteLine("t_s,available_kib,workload_kib,watched_rss_kib");
        foreach (var s in r.Samples)
        {
            w.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{s.TimeS - r.StartS:F4},{s.AvailableKiB},{s.WorkloadUsageKiB},{s.WatchedRssKiB}"));
        }
    }

    private static string Describe(RunResult r)
    {
        if (r.Skipped != null)
        {
            return $"{r.Scenario} {r.Daemon} #{r.Round}: skipped: {r.Skipped}";
        }
        if (r.Void != null)
        {
            return $"{r.Scenario} {r.Daemon} #{r.Round}: DID NOT HAPPEN (not counted): {r.Void}";
        }
        string kill = r.VictimKill is { } k
            ? string.Create(CultureInfo.InvariantCulture, $"SIGKILL by {k.By} {r.KillLatencyMs:F0} ms after the line, memory back {r.MemoryBackMs:F0} ms, freed {r.FreedMs:F0} ms")
            : "no victim killed";
        return string.Create(CultureInfo.InvariantCulture,
            $"{r.Scenario} {r.Daemon} #{r.Round}: {kill}; kills {r.VictimKills}+{r.ExtraKills} extra; kernel OOM {r.KernelOomKills}; ramp {r.RampMiBs:F0} MiB/s")
            + (r.TimedOut ? "; TIMED OUT" : "") + (double.IsNaN(r.SafetyValveS) ? "" : "; safety valve") + (r.Error is null ? "" : "; error: " + r.Error)
            + (r.OutsiderKills.Count > 0 ? "; OUTSIDER: " + string.Join(", ", r.OutsiderKills) : "")
            + (r.OwnChildSignals.Count > 0 ? "; its own child: " + string.Join(", ", r.OwnChildSignals) : "")
            + (r.DaemonActions.Count > 0 ? $"; {r.Daemon} says: " + string.Join(", ", r.DaemonActions) : "");
    }

    public void Dispose()
    {
        _ballast?.Dispose();
        _trace?.Dispose();
        _kernelLog?.Dispose();
        foreach (var s in _signals)
        {
            s.Dispose();
        }
        _cancel.Dispose();
    }
}
