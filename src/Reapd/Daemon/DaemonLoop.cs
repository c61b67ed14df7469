using Reapd.Announce;
using Reapd.Core.Daemon;
using Reapd.Core.Decision;
using Reapd.Linux.Kill;
using Reapd.Linux.Sensors;
using Reapd.Linux.Systemd;

namespace Reapd.Daemon;

/// <summary>
/// `reapd run`'s loop: sleep on the wake set (one epoll instance, each fd registered once: PSI triggers, cgroup eventfds, the victim's pidfd, the reaper's
/// completion, the stop eventfd) with the core's next wake as timeout; then feed the core — the reap answer and exits
/// first, then one sample — and let the actuator carry out its commands. Nothing here decides; nothing here blocks
/// in the kernel except the wait. A quiet cycle allocates nothing. Only the loop thread touches state; the stop
/// handler only sets a flag and signals an eventfd.
/// </summary>
internal sealed class DaemonLoop : IDisposable
{
    private readonly DaemonResources _resources;
    private DaemonConfig _config;
    private RunOptions _options;
    private readonly DecisionCore _core;
    private readonly SampleSource _samples;
    private readonly DaemonEvents _events;
    private readonly Metrics.DaemonMetrics _metrics;
    private int _metricsFileFailuresWarned;
    private int _stateFailuresWarned;
    private ReaperThread? _reaper;
    private DecisionRecorder? _recorder;
    private readonly AnnounceOptions _announce;
    private KillAnnouncer? _announcer;
    private readonly Actuator _actuator;
    private readonly EpollWakeSet _wake;
    private readonly VictimStateFile? _stateFile;
    private readonly string _stateDescription;
    private readonly ServiceNotifications? _notify;
    private readonly int _stopSlot;
    private readonly int _reaperSlot;
    private readonly int _victimSlot;
    private readonly int _reloadSlot;
    private readonly int _psiSomeSlot = -1;
    private readonly int _psiFullSlot = -1;
    private readonly int _psiThrashSlot = -1;
    private readonly int _pressureEventSlot = -1;
    private readonly int _oomEventSlot = -1;
    private readonly int _memoryEventsSlot = -1;

    private volatile bool _stopRequested;
    private volatile bool _reloadRequested;
    private ConfigReloader? _reloader;
    private bool _reloadLateReported;
    private bool _reloadStartWarned;

    /// <summary>A reload whose file has not been read after this long is reported (the loop goes on meanwhile).</summary>
    public const int ReloadLateMs = 2000;
    private string _stopReason = "";
    private MemorySample _lastSample;
    private bool _haveSample;
    private bool _sensorFailing;
    private int _lastPollErrno;
    private int _exitCode = ExitCodes.Ok;
    private bool _disposed;

    private DaemonLoop(DaemonResources resources, EpollWakeSet wake, RunOptions options, EventLog log, SystemdNotifier? notifier)
    {
        DaemonConfig config = options.Config;
        AnnounceOptions announce = options.Announce;
        _resources = resources;
        _options = options;
        _config = config;
        _announce = announce;
        _core = new DecisionCore(config);
        DaemonResources.PsiCover cover = resources.PsiCoverOf(config);
        _samples = new SampleSource(resources.Sensor, config, resources.Refaults)
        {
            PsiTriggersCover = cover == DaemonResources.PsiCover.Always,
            PsiTriggersCoverWithoutSwap = cover == DaemonResources.PsiCover.WithoutSwap,
        };
        _metrics = new Metrics.DaemonMetrics(config, _samples.Description);
        _events = new DaemonEvents(log, config, _metrics);
        _actuator = new Actuator(_core, _events, resources, _samples);
        _stateFile = VictimStateFile.TryOpen(config, _samples.Description, out _stateDescription);
        _actuator.StateFile = _stateFile;
        _notify = notifier is null ? null : new ServiceNotifications(notifier, config, _events, MonotonicClock.NowMs);

        _wake = wake;
        _stopSlot = _wake.Add(resources.StopEvent.Fd, WakeSet.Readable);
        _reaperSlot = _wake.Add(-1, WakeSet.Readable);
        _victimSlot = _wake.Add(-1, WakeSet.Readable);
        _actuator.VictimFdClosing = () => _wake.Set(_victimSlot, -1);
        // The reload thread's completion eventfd, set once the thread is started (on the first SIGHUP).
        _reloadSlot = _wake.Add(-1, WakeSet.Readable);
        if (resources.PsiSome is not null)
        {
            _psiSomeSlot = _wake.Add(resources.PsiSome.Fd, WakeSet.Priority);
        }
        if (resources.PsiFull is not null)
        {
            _psiFullSlot = _wake.Add(resources.PsiFull.Fd, WakeSet.Priority);
        }
        if (resources.PsiThrash is not null)
        {
            _psiThrashSlot = _wake.Add(resources.PsiThrash.Fd, WakeSet.Priority);
        }
        if (resources.V1Notifications?.Pressure is EventFdHandle pressure)
        {
            _pressureEventSlot = _wake.Add(pressure.Fd, WakeSet.Readable);
        }
        if (resources.V1Notifications?.Oom is EventFdHandle oom)
        {
            _oomEventSlot = _wake.Add(oom.Fd, WakeSet.Readable);
        }
        if (resources.V2Events is CgroupEventsWatch memoryEvents)
        {
            _memoryEventsSlot = _wake.Add(memoryEvents.Fd, CgroupEventsWatch.PollEvents);
        }
    }

    // stop, reaper, victim, reload, three PSI triggers, two v1 eventfds, memory.events.
    private const int WakeSlots = 10;

    /// <summary>Where the victim in flight is (for tests and the stop event).</summary>
    public VictimPhase Phase => _core.State.Phase;

    public string Scope => _samples.Description;

    /// <summary>The sampling side: how many cycles decided on the lower bound, and the switch to measure without it.</summary>
    public SampleSource Samples => _samples;

    /// <summary>The Prometheus numbers the loop keeps (docs/metrics.md); rendered by the metrics threads.</summary>
    public Metrics.DaemonMetrics Metrics => _metrics;

    /// <summary>The textfile, when --metrics-file is given: the loop warns once each time writing it starts failing.</summary>
    public Metrics.MetricsFile? MetricsFile { get; set; }

    /// <summary>The bound --metrics-listen address, for the start event.</summary>
    public string? MetricsListen { get; set; }

    /// <summary>
    /// Opens everything `reapd run` needs; null with one line and the exit code on failure. The loop owns
    /// <paramref name="notifier"/> (the service manager's socket, null when there is none) from here on, failure included.
    /// </summary>
    public static DaemonLoop? TryCreate(RunOptions options, EventLog log, out string? error, out int exitCode, SystemdNotifier? notifier = null)
    {
        DaemonResources? resources = DaemonResources.TryOpen(options, log, out error, out exitCode);
        if (resources is null)
        {
            notifier?.Dispose();
            return null;
        }
        // The wake set's fds are registered once (epoll), not on every wait (poll): the idle loop's largest kernel cost.
        EpollWakeSet? wake = EpollWakeSet.TryCreate(WakeSlots, out int epollErrno);
        if (wake is null)
        {
            resources.Dispose();
            notifier?.Dispose();
            error = $"cannot create an epoll instance (errno {epollErrno})";
            exitCode = ExitCodes.Failed;
            return null;
        }
        var loop = new DaemonLoop(resources, wake, options, log, notifier);
        if (options.RecordPath is not null)
        {
            loop._recorder = DecisionRecorder.TryStart(options.RecordPath, options.RecordMaxBytes, options.Config, loop.Scope, out error);
            if (loop._recorder is null)
            {
                loop.Dispose();
                exitCode = ExitCodes.Failed;
                return null;
            }
            loop._core.Tap = loop._recorder;
        }
        return loop;
    }

    /// <summary>Asks the loop to stop (from a signal handler: sets a flag and wakes the poll; allocation-free).</summary>
    public void RequestStop(string reason)
    {
        _stopReason = reason;
        _stopRequested = true;
        _resources.StopEvent.Signal();
    }

    public bool StopRequested => _stopRequested;

    /// <summary>
    /// Asks the loop to read its configuration again (SIGHUP; from a signal handler: sets a flag and wakes the poll,
    /// allocation-free). The loop reloads between two cycles, never inside one, so never while it acts on a kill.
    /// Several requests before the loop gets to it are one reload.
    /// </summary>
    public void RequestReload()
    {
        _reloadRequested = true;
        _resources.StopEvent.Signal();
    }

    /// <summary>The settings in force (for tests): the start's, or the last reload's.</summary>
    public RunOptions Options => _options;

    /// <summary>
    /// Own oom_score_adj and priority, the scanner thread; then warm-up before locking memory: a few cycles and one
    /// scan, so buffers and arrays have their working size and every code page of the hot path is mapped; then mlockall; then the start event;
    /// then READY=1 to the service manager, when there is one: only now are the sensors, wake-ups and the reaper armed.
    /// </summary>
    public void Start(bool protectSelf)
    {
        // First drop what start-up mapped (argument parsing, the runtime's start), so that the warm-up below maps, and
        // mlockall then locks, only what the hot path runs.
        string trimmed = protectSelf ? SelfProtection.TrimToHotPath() : "";
        string locked = "skipped", adj = "skipped", nice = "skipped";
        // Before any thread or kill: a cgroup-scope kill holds one pidfd per member of the unit (docs/cgroups.md).
        string fileLimit = FileDescriptorLimit.Raise();
        if (protectSelf)
        {
            adj = SelfProtection.LowerOomScoreAdj();
            nice = SelfProtection.RaisePriority();
        }
        // After the priority: the threads inherit the nice value (setpriority sets one thread's on Linux). The scanner
        // runs the decision's scans, so it gets the loop's priority too; and it starts before the first cycle, so that
        // no scan ever runs on the loop (with rules that read command lines, one could block there: docs/reliability.md).
        bool scanner = _actuator.StartScanner();
        _reaper = ReaperThread.TryStart(out int reaperErrno);
        if (_reaper is null)
        {
            _events.Warning("reaper"u8, $"cannot start the reaper thread (eventfd errno {reaperErrno}): victims are not reaped, only their exit frees their memory", EventLog.Error);
        }
        else
        {
            _actuator.Reaper = _reaper;
            _wake.Set(_reaperSlot, _reaper.CompletionFd);
        }
        // Before the first cycle can choose anyone: a victim a previous instance left in flight closes the gate.
        string state = AdoptVictimInFlight(out bool adopted);
        for (int i = 0; i < 3; i++)
        {
            RunCycle(Wake.Start);
        }
        if (_haveSample)
        {
            _actuator.WarmUp(_lastSample);
        }
        // Hooks and notifications: nothing to announce in a dry run (nothing is killed).
        if (_announce.Enabled && !_config.DryRun)
        {
            _announcer = KillAnnouncer.TryStart(_announce, _samples.Description, out int announcerErrno);
            if (_announcer is null)
            {
                _events.Warning("announcer"u8, $"cannot start the announcer thread (eventfd errno {announcerErrno}): no kill hooks, no desktop notifications", EventLog.Error);
            }
            _actuator.Announcer = _announcer;
        }
        if (protectSelf)
        {
            // Not with an adopted victim: its reap may be on the reaper thread, which the warm-up kill would need.
            string warmUpKill = adopted ? "warm-up kill skipped: a victim in flight was adopted"
                : _haveSample ? KillWarmUp.Run(_config, _resources, _samples, _reaper, _lastSample, _events.Log, _actuator) : "warm-up kill skipped: no sample";
            // The warm-up's child signalled through the real sensor began a per-CPU list credit: not the machine's
            // memory, and a base that a real kill soon after would keep.
            _samples.EndListCredit();
            // The wake-up side of an emergency too: a cgroup v1 notification fires, is collected and drained, and the
            // cycle it starts runs (a spurious wake-up only ever leads to a sample).
            _resources.V1Notifications?.Pressure?.Signal();
            _resources.V1Notifications?.Oom?.Signal();
            // In every scope (the system's and a v2 cgroup's have no such notification, and nothing else fires here):
            // the stop eventfd, with neither a stop nor a reload asked for, so that the poll returns ready and the
            // collection of fired sources (CollectWakes, Fired) runs — every emergency's wake-ups take it (a PSI
            // trigger, the reaper's answer, the victim's pidfd). Without it that code first ran in an emergency, and
            // the whole-guest test saw the loop fault on it (docs/reliability.md).
            _resources.StopEvent.Signal();
            WarmUpVictimSlot();
            _samples.WarmUpSwapBranch(MonotonicClock.NowMs);
            _samples.WarmUpListCredit(MonotonicClock.NowMs);
            RunOnce(0);
            // Last before the lock: the packed hot region whole, the warm-up's branches and the ones it did not take.
            string hotRegion = HotRegion.FaultIn();
            locked = $"{SelfProtection.LockMemory()}; {trimmed}; {hotRegion}; {warmUpKill}";
        }
        EventLog line = _events.Log.Begin("start"u8, EventLog.Notice)
            .Field("pid"u8, Environment.ProcessId)
            .Field("scope"u8, _samples.Description)
            .Field("term_pct"u8, _config.TermPercent, 2)
            .Field("kill_pct"u8, _config.KillPercent, 2)
            .Field("grace_ms"u8, _config.GraceMs)
            .Field("settle_timeout_ms"u8, _config.SettleTimeoutMs)
            .Field("psi_full"u8, _resources.Sensor.PressurePath is null ? "off (no PSI in this scope)" : _config.PsiFullPercent is double p ? $"{p:0.##}% of {_config.PsiFullWindowMs / 1000}s" : "off")
            .Field("psi_full_duration_ms"u8, _config.PsiFullDurationMs)
            .Field("psi_some"u8, _resources.Sensor.PressurePath is null ? "off (no PSI in this scope)" : _config.PsiSomePercent is double some ? $"{some:0.##}% of {_config.PsiSomeWindowMs / 1000}s" : "off")
            .Field("psi_some_duration_ms"u8, _config.PsiSomeDurationMs)
            .Field("thrash"u8, _resources.Sensor.PressurePath is null ? "off (no PSI in this scope)" : _config.ThrashFullPercent is double thrash
                ? $"{thrash:0.##}% full stall of {_config.ThrashWindowMs}ms with {_config.ThrashRefaultsPerSecond:0.##} anonymous refaults/s and {ThrashTracker.MinSwapInPercent:0.##} swap-ins per 100 swap-outs for {_config.ThrashDurationMs}ms ({(_resources.Refaults is null ? "no refault counter" : _resources.Refaults.Path)})"
                : "off")
            .Field("swap_term_pct"u8, _config.SwapTermPercent ?? _config.TermPercent, 2)
            .Field("swap_kill_pct"u8, _config.SwapKillPercent ?? _config.KillPercent, 2)
            .Field("combination"u8, _config.Combination == Core.Policy.ThresholdCombination.AnyOf ? "any-of" : "memory-and-swap")
            .Field("zram_aware"u8, _config.ZramAware)
            .Field("quiet_bound"u8, DescribeQuietBound())
            .Field("psi_triggers"u8, _resources.DescribePsiTriggers())
            .Field("psi_reads"u8, DescribePsiReads())
            .Field("cgroup_events"u8, _resources.DescribeCgroupEvents())
            .Field("reaper"u8, _reaper is null ? "none" : "thread")
            .Field("scanner"u8, scanner ? "thread" : "loop")
            .Field("scan_deadline_ms"u8, _config.ScanDeadlineMs)
            .Field("mlock"u8, locked)
            .Field("state"u8, state)
            .Field("oom_score_adj"u8, adj)
            .Field("priority"u8, nice)
            .Field("notify_desktop"u8, _announcer is not null ? AnnounceOptions.ModeText(_announce.NotifyDesktop) : _config.DryRun && _announce.Enabled ? "off (dry run)" : "off")
            .Field("hooks"u8, _announcer is not null ? DescribeHooks(_announce) : _config.DryRun && _announce.Enabled ? "none (dry run)" : "none")
            .Field("kill_scope"u8, _config.KillScope.ToString())
            .Field("open_files_limit"u8, fileLimit)
            .Field("cgroup_first"u8, _actuator.Chooser is null ? "off" : _actuator.Chooser.Kubernetes ? "on, pods by QoS class" : "on")
            .Field("dry_run"u8, _config.DryRun)
            .Field("config"u8, Config.ConfigFile.Describe(_options.ConfigFileRead));
        if (MetricsFile is not null)
        {
            line.Field("metrics_file"u8, MetricsFile.Path);
        }
        if (MetricsListen is not null)
        {
            line.Field("metrics_listen"u8, MetricsListen);
        }
        if (_haveSample)
        {
            line.Field("available_mib"u8, DaemonEvents.Mib(_lastSample.AvailableBytes), 1).Field("total_mib"u8, DaemonEvents.Mib(_lastSample.TotalBytes), 1);
        }
        if (_notify is not null)
        {
            line.Field("notify"u8, _notify.Describe());
        }
        line.End();
        _notify?.Ready(MonotonicClock.NowMs, _haveSample, _lastSample, _core.State.Phase, _core.State.Victim.Pid);
    }

    /// <summary>
    /// Runs the wake set's changes of the victim's slot once before memory is locked: registering a pidfd
    /// (EPOLL_CTL_ADD), the same number again (the MOD check of every in-flight cycle), removing it (DEL), and a
    /// registration the kernel refuses. Otherwise they would first run in an emergency (docs/reliability.md). An
    /// eventfd stands in for the pidfd: the set's code is the same for any fd.
    /// </summary>
    private void WarmUpVictimSlot()
    {
        using EventFdHandle? standIn = EventFdHandle.Create(out _);
        if (standIn is not null)
        {
            _wake.Set(_victimSlot, standIn.Fd);
            _wake.Set(_victimSlot, standIn.Fd);
            // As a released victim's slot is emptied (Actuator.VictimFdClosing), before its pidfd closes.
            _actuator.VictimFdClosing?.Invoke();
        }
        // A registration the kernel refuses (its errno read and sorted): a number no process can have open, then
        // cleared before any wait could report it.
        _wake.Set(_victimSlot, int.MaxValue);
        _wake.Set(_victimSlot, -1);
        _wake.Set(_victimSlot, _actuator.WatchedPidFd);
    }

    /// <summary>Runs until a stop is requested. Returns the exit code.</summary>
    public int Loop()
    {
        while (!_stopRequested)
        {
            RunOnce(NextTimeoutMs());
        }
        _notify?.Stopping();
        if (_recorder is not null && (_recorder.DroppedTotal > 0 || _recorder.WriteError is not null))
        {
            _events.Warning("record"u8, _recorder.WriteError is not null
                ? $"writing the recording stopped: {_recorder.WriteError}"
                : $"{_recorder.DroppedTotal} records were dropped (the writer could not keep up); a replay stops at the gap");
        }
        _events.Stop(_stopReason, _actuator.Terms, _actuator.Kills, _core.State.InFlight, _events.Log.DroppedTotal, _notify?.Notifier.Failed ?? -1);
        return _exitCode;
    }

    /// <summary>One cycle: wait up to <paramref name="timeoutMs"/> for a wake-up, then feed the core and act.</summary>
    public void RunOnce(int timeoutMs)
    {
        Wake wake = _wake.Wait(timeoutMs, out _) switch
        {
            WakeOutcome.Ready or WakeOutcome.InvalidFd => CollectWakes(),
            WakeOutcome.Failed => PollFailed(_wake.LastErrno, timeoutMs),
            _ => Wake.Timer,
        };
        if (_stopRequested)
        {
            return;
        }
        if (_reloadRequested || _reloader is not null)
        {
            Reload();
        }
        RunCycle(wake);
    }

    /// <summary>
    /// How long the next wait may be: the core's next wake (adaptive interval, cut short by its deadlines), and never
    /// past the watchdog's ping deadline (which only shortens a wait the loop would make longer anyway).
    /// </summary>
    public int NextTimeoutMs()
    {
        long now = MonotonicClock.NowMs;
        int wantedMs;
        if (!_haveSample || _sensorFailing)
        {
            wantedMs = _sensorFailing ? _config.MaxIntervalMs : _config.InFlightIntervalMs;
        }
        else
        {
            wantedMs = _core.NextWakeMs(_lastSample with { TimeMs = now });
        }
        return _notify is null ? wantedMs : _notify.CapWaitMs(wantedMs, now);
    }

    /// <summary>The reap answer and exits first, then one sample, then the commands. Allocation-free when quiet.</summary>
    public void RunCycle(Wake wake)
    {
        long now = MonotonicClock.NowMs;
        while (_announcer is not null && _announcer.TryTakeOutcome(out AnnounceOutcome outcome))
        {
            _events.Announced(outcome);
        }
        if ((wake & Wake.Reaper) != 0)
        {
            _actuator.TakeReapAnswer(now);
        }
        _actuator.CheckExits(now);
        _actuator.Drain();
        _metrics.CycleStarted();
        bool quietAllowed = _haveSample && !_core.State.InFlight && _core.State.Phase == VictimPhase.None
            && _core.State.PendingAction == PendingAction.None;
        long psiSkippedBefore = _samples.PsiReadsSkipped;
        if (!_samples.TryRead(MonotonicClock.NowMs, quietAllowed, (wake & Wake.Psi) != 0, out MemorySample sample))
        {
            SensorFailed();
            // A victim whose exit was seen is waited on no longer (its pidfd stays readable: the wait would not sleep).
            _wake.Set(_victimSlot, _actuator.WatchedPidFd);
            // The loop itself is alive and cycling: the watchdog is for a hung loop, not for a sensor that failed.
            _notify?.AfterCycle(MonotonicClock.NowMs, false, default, _core.State.Phase, _core.State.Victim.Pid);
            return;
        }
        _sensorFailing = false;
        _lastSample = sample;
        _haveSample = true;
        _actuator.Sample = sample;
        _actuator.Wake = wake;
        if (_recorder is not null)
        {
            _recorder.Wake = (int)wake;
        }
        _core.OnSample(sample);
        _actuator.Drain();
        _wake.Set(_victimSlot, _actuator.WatchedPidFd);
        _metrics.CycleDone(wake, sample, _core.State.InFlight, _events.Log.DroppedTotal, _samples.PsiReadsSkipped != psiSkippedBefore);
        if (MetricsFile is not null && MetricsFile.FailureStreaks != _metricsFileFailuresWarned)
        {
            _metricsFileFailuresWarned = MetricsFile.FailureStreaks;
            _events.Warning("metrics-file"u8, $"cannot write {MetricsFile.Path}: {MetricsFile.LastError}; the next change tries again");
        }
        if (_stateFile is not null && _stateFile.Failures != _stateFailuresWarned)
        {
            _stateFailuresWarned = _stateFile.Failures;
            _events.Warning("state"u8, $"cannot write or remove {_stateFile.Path} (errno {_stateFile.LastErrno}): a restarted reapd would not know the victim in flight");
        }
        // Only here, with the cycle complete, does the watchdog hear from the loop: a loop stuck anywhere above stops pinging.
        _notify?.AfterCycle(MonotonicClock.NowMs, true, sample, _core.State.Phase, _core.State.Victim.Pid);
    }

    /// <summary>
    /// SIGHUP: read the file again (--config FILE, or the default path) and lay the command line's options over it on the
    /// reload thread (<see cref="ConfigReloader"/>: a file on a stuck file system holds that thread, never this loop,
    /// and a read not done after <see cref="ReloadLateMs"/> is reported as late), then swap the settings in one step on
    /// this thread, between two cycles. A file with any problem changes nothing: `reload-refused` lists
    /// every problem. A good one: `reloaded` names the keys that changed; keys about what was opened at start (the
    /// cgroup, the outputs, the PSI triggers, the announcer, dry run) keep their start values and are named as needing
    /// a restart. The decision core keeps its state: a victim in flight stays in flight under its settle gate.
    /// </summary>
    private void Reload()
    {
        _reloader ??= new ConfigReloader();
        if (_reloader.TryTake(out ConfigReloader.Answer answer))
        {
            Swap(answer.Load, answer.Next, answer.Error, answer.Rules);
        }
        long now = MonotonicClock.NowMs;
        if (_reloader.IsReading)
        {
            if (!_reloadLateReported && now - _reloader.StartedMs >= ReloadLateMs)
            {
                _reloadLateReported = true;
                _events.Warning("reload"u8, $"reading {_options.ConfigPath ?? Config.ConfigFile.Describe(null)} has not finished after {now - _reloader.StartedMs} ms: the settings in force stay until it does (the read holds the reload thread, not the loop)");
            }
            return;
        }
        // Cleared first: a SIGHUP that arrives while the file is read asks for one more reload, which is not lost.
        if (_reloadRequested && _reloader.TryStart(_options.ConfigPath, _options, now))
        {
            _wake.Set(_reloadSlot, _reloader.CompletionFd);
            _reloadStartWarned = false;
            _reloadRequested = false;
            _reloadLateReported = false;
            _notify?.Reloading(System.Diagnostics.Stopwatch.GetTimestamp() / (System.Diagnostics.Stopwatch.Frequency / 1_000_000));
        }
        else if (_reloadRequested && _reloader.StartErrno != 0 && !_reloadStartWarned)
        {
            // The kernel refused the reload thread's eventfds: the reload stays asked for and is tried every cycle.
            _reloadStartWarned = true;
            _events.Warning("reload"u8, $"cannot start the reload thread (eventfd errno {_reloader.StartErrno}): the settings in force stay; the reload is tried again every cycle");
        }
    }

    /// <summary>The reload thread's answer, swapped in on the loop (see <see cref="Reload"/>).</summary>
    private void Swap(Config.ConfigLoad load, RunOptions? next, string? error, Core.Policy.RuleSet? rules)
    {
        string file = load.File ?? Config.ConfigFile.Describe(null);
        // (Overrides.Apply kept everything of the file's options but the command line's; where the file came from is
        // the running daemon's to keep.)
        if (next is null || rules is null)
        {
            EventLog refused = _events.Log.Begin("reload-refused"u8, EventLog.Error)
                .Field("file"u8, file)
                .Field("detail"u8, "the running configuration is kept unchanged");
            refused.BeginList("problems"u8);
            foreach (string problem in error is null ? load.Problems.Select(p => p.ToString()) : [error])
            {
                refused.BeginItem().Field("problem"u8, problem).EndItem();
            }
            refused.EndList().End();
            _notify?.Reloaded(_config, MonotonicClock.NowMs, _haveSample, _lastSample, _core.State.Phase, _core.State.Victim.Pid);
            return;
        }
        RunOptions kept = next with
        {
            Config = next.Config with
            {
                PsiFullPercent = _config.PsiFullPercent,
                PsiFullWindowMs = _config.PsiFullWindowMs,
                PsiSomePercent = _config.PsiSomePercent,
                PsiSomeWindowMs = _config.PsiSomeWindowMs,
                // Start-only too (ConfigKeys): its trigger, tracker and refault counter are the start's; a reload that
                // turned it off in the core while the trigger and the quiet-wake-up rule still assumed it on would
                // report "restart needed" and yet act on the new value (review finding).
                ThrashFullPercent = _config.ThrashFullPercent,
                ThrashWindowMs = _config.ThrashWindowMs,
                ThrashRefaultsPerSecond = _config.ThrashRefaultsPerSecond,
                DryRun = _config.DryRun,
                StateDirectory = _config.StateDirectory,
                ScanDeadlineMs = _config.ScanDeadlineMs,
                CgroupFirst = _config.CgroupFirst,
                Kubernetes = _config.Kubernetes,
            },
            CgroupPath = _options.CgroupPath,
            Json = _options.Json,
            MetricsFile = _options.MetricsFile,
            MetricsListen = _options.MetricsListen,
            Announce = _options.Announce,
            ConfigPath = _options.ConfigPath,
            RecordPath = _options.RecordPath,
            RecordMaxBytes = _options.RecordMaxBytes,
            ConfigFileRead = load.File,
        };
        List<string> restartNeeded = Config.EffectiveSettings.Changed(_options, next).FindAll(key => Config.ConfigKeys.Find(key)?.AtStartOnly == true);
        List<string> changed = Config.EffectiveSettings.Changed(_options, kept);
        _core.Reconfigure(kept.Config);
        _config = kept.Config;
        _options = kept;
        _events.Reconfigure(kept.Config);
        // The quiet wake-up proves "nothing to do" against the lines: they are the new ones from here on. (The PSI levels
        // and windows its stall trackers use are kept at their start values above, with the triggers.)
        _samples.Reconfigure(kept.Config);
        _resources.System.ZramAware = kept.Config.ZramAware;
        _metrics.Reconfigure(kept.Config);
        // The rules the reload thread compiled: nothing is compiled on the loop (the kept overrides above touch no rule).
        _actuator.Reconfigure(rules);
        _events.Log.Begin("reloaded"u8, EventLog.Notice)
            .Field("file"u8, file)
            .Field("changed"u8, changed.Count == 0 ? "nothing" : string.Join(' ', changed))
            .Field("restart_needed"u8, restartNeeded.Count == 0 ? "none" : string.Join(' ', restartNeeded))
            .Field("term_pct"u8, _config.TermPercent, 2)
            .Field("kill_pct"u8, _config.KillPercent, 2)
            .Field("in_flight"u8, _core.State.InFlight)
            .End();
        _notify?.Reloaded(_config, MonotonicClock.NowMs, _haveSample, _lastSample, _core.State.Phase, _core.State.Victim.Pid);
    }

    /// <summary>
    /// Reads the state file a previous instance left and adopts its victim when the file is from this boot and scope
    /// and the victim is still the same process (pidfd opened first, then its start time compared): the core starts
    /// with that victim in flight, this instance's pidfd watches it. A stale file (the victim gone, its pid reused, another
    /// boot) is removed and said; one for another scope is left to its instance. Returns what happened, for the start event.
    /// </summary>
    private string AdoptVictimInFlight(out bool adopted)
    {
        adopted = false;
        if (_stateFile is null)
        {
            return _stateDescription;
        }
        VictimStateFile.Adoption? found = _stateFile.TryRead(out string? reason);
        if (found is not VictimStateFile.Adoption adoption)
        {
            if (reason is not null && !reason.StartsWith("written for another scope", StringComparison.Ordinal))
            {
                _stateFile.Discard();
            }
            return reason is null ? _stateDescription : $"{_stateDescription}; ignored: {reason}";
        }
        var reader = new Linux.Proc.ProcessReader();
        Linux.Kill.VictimOpenOutcome opened = Linux.Kill.Victim.TryOpen(adoption.Victim.Pid, adoption.Victim.StartTimeTicks, reader,
            out Linux.Kill.Victim? victim, Environment.ProcessId, _actuator.ProtectedNames, _actuator.Rules);
        if (opened != Linux.Kill.VictimOpenOutcome.Confirmed)
        {
            _stateFile.Discard();
            return $"{_stateDescription}; ignored: pid {adoption.Victim.Pid} is no longer the victim it names ({opened.Name()})";
        }
        long now = MonotonicClock.NowMs;
        long available = _samples.TryRead(now, out MemorySample sample) ? sample.AvailableBytes : 0;
        Core.Proc.ProcessName name = reader.TryReadStat(adoption.Victim.Pid, out Core.Proc.ProcStat stat) == Linux.Proc.ProcReadOutcome.Ok ? stat.Name : default;
        // The processes that went with the victim: its mm sharers (SIGKILLed already after a SIGKILL; after a SIGTERM,
        // SIGKILLed with the victim at its escalation) and the members of a wider kill scope. Each is confirmed by pidfd
        // and start time; those gone or no longer sharing are left out.
        int sharers = 0;
        // A sharer is taken over only if it still shares the victim's mm (kcmp, or the layout recorded when it was found)
        // and this instance's exclusions (protected names, protect rules, adj -1000) do not cover it.
        foreach ((int pid, ulong start, Core.Proc.MmLayout layout) in adoption.Sharers)
        {
            sharers += victim!.AdoptSharer(reader, pid, start, layout, killed: adoption.Phase == VictimPhase.Killed) ? 1 : 0;
        }
        Linux.Kill.ScopeKill? members = adoption.Members.Count == 0 ? null
            : Linux.Kill.ScopeKill.Adopt(adoption.KillScope ?? _config.KillScope, adoption.Victim.Pid, reader, Environment.ProcessId, adoption.Members);
        _actuator.Adopt(victim!, name, adoption.Phase, members);
        _core.AdoptInFlight(adoption.Victim, adoption.Phase, adoption.SignalledMs, adoption.HeldBytes, available, now);
        _actuator.Drain();
        adopted = true;
        return $"{_stateDescription}; adopted pid {adoption.Victim.Pid} ({(adoption.Phase == VictimPhase.Killed ? "SIGKILLed" : "SIGTERMed")} {now - adoption.SignalledMs} ms ago"
            + $", {sharers} of {adoption.Sharers.Count} sharers, {members?.Members.Count ?? 0} of {adoption.Members.Count} scope members)";
    }

    /// <summary>Whether quiet wake-ups can decide on the lower bound of available memory (system scope only), and its reserve.</summary>
    private string DescribeQuietBound() =>
        !ReferenceEquals(_resources.Sensor, _resources.System) ? "off (cgroup scope)"
        : _resources.System.LowerBound is { ReserveBytes: >= 0 } bound ? $"on (free pages less {bound.ReserveBytes / 1048576.0:0.#} MiB of reserves)"
        : "off (no /proc/zoneinfo)";

    /// <summary>When cycles read the PSI file: quiet wake-ups skip it while the triggers watch every stall condition.</summary>
    private string DescribePsiReads() =>
        _resources.Sensor.PressurePath is null ? "none (no PSI in this scope)"
        : !ReferenceEquals(_resources.Sensor, _resources.System) || _resources.System.LowerBound is not { ReserveBytes: >= 0 } ? "every cycle (no quiet bound)"
        : _samples.PsiTriggersCover ? _config.ThrashFullPercent is not null && _resources.ThrashReachOf(_config) == ThrashReach.Never
            ? "every cycle but quiet wake-ups while the counters are still (triggers watch every stall condition; the thrash condition cannot hold: no refault counter)"
            : "every cycle but quiet wake-ups while the counters are still (triggers watch every stall condition)"
        : _samples.PsiTriggersCoverWithoutSwap ? "every cycle but quiet wake-ups while the counters are still and no swap is in use (triggers watch every stall condition but the thrash condition, whose anonymous refaults need swap in use)"
        : "every cycle (a stall condition has no trigger the kernel accepted)";

    private static string DescribeHooks(AnnounceOptions announce) =>
        announce.BeforeKillHook is null && announce.AfterKillHook is null ? "none"
        : $"before-kill={announce.BeforeKillHook ?? "none"} after-kill={announce.AfterKillHook ?? "none"} timeout_ms={announce.HookTimeoutMs}";

    private Wake CollectWakes()
    {
        Wake wake = Wake.None;
        if ((_wake.Fired(_stopSlot) & WakeSet.Readable) != 0)
        {
            _resources.StopEvent.Drain();
            wake |= Wake.Stop;
        }
        if (_wake.Fired(_reaperSlot) != 0)
        {
            wake |= Wake.Reaper;
        }
        if (_wake.Fired(_reloadSlot) != 0)
        {
            // A reload was read (drained by ConfigReloader.TryTake): woken as the SIGHUP itself woke the loop.
            wake |= Wake.Stop;
        }
        if (Fired(_victimSlot, "victim pidfd"u8))
        {
            wake |= Wake.VictimExit;
        }
        if (Fired(_psiSomeSlot, "psi some trigger"u8) | Fired(_psiFullSlot, "psi full trigger"u8) | Fired(_psiThrashSlot, "psi thrash trigger"u8))
        {
            wake |= Wake.Psi;
        }
        if (Fired(_pressureEventSlot, "cgroup v1 vmpressure eventfd"u8))
        {
            _resources.V1Notifications!.Pressure!.Drain();
            wake |= Wake.CgroupEvent;
        }
        if (Fired(_oomEventSlot, "cgroup v1 oom eventfd"u8))
        {
            _resources.V1Notifications!.Oom!.Drain();
            wake |= Wake.CgroupEvent;
        }
        if (MemoryEventsChanged())
        {
            wake |= Wake.CgroupEvent;
        }
        return wake == Wake.None ? Wake.Timer : wake;
    }

    /// <summary>
    /// Whether the v2 memory.events file changed. A kernfs file reports POLLERR|POLLPRI on a change (not an error
    /// here, unlike for the other sources); reading it re-arms the notification. A file that can no longer be read
    /// (the cgroup was removed) is reported once and dropped from the set.
    /// </summary>
    private bool MemoryEventsChanged()
    {
        if (_memoryEventsSlot < 0)
        {
            return false;
        }
        short events = _wake.Fired(_memoryEventsSlot);
        if ((events & WakeSet.Invalid) != 0 || (CgroupEventsWatch.Changed(events) && _resources.V2Events!.Drain(out _) != Linux.Proc.ProcReadOutcome.Ok))
        {
            _events.Warning("cgroup v2 memory.events"u8, "it can no longer be read; it is no longer waited on (the timer and the other sources remain)", EventLog.Error);
            _wake.Set(_memoryEventsSlot, -1);
            return false;
        }
        return CgroupEventsWatch.Changed(events);
    }

    /// <summary>
    /// Whether a wake source fired. POLLERR/POLLNVAL on it (a PSI trigger whose cgroup was removed, an fd closed
    /// under it or one epoll refused: EpollWakeSet) is an outcome: the source is reported once and dropped from the set, so it cannot spin the loop. A
    /// dropped PSI trigger no longer covers its condition, so the sample source reads the pressure file every cycle.
    /// </summary>
    private bool Fired(int slot, ReadOnlySpan<byte> what)
    {
        if (slot < 0)
        {
            return false;
        }
        short events = _wake.Fired(slot);
        if ((events & (WakeSet.Error | WakeSet.Invalid)) != 0)
        {
            _events.Warning(what, $"the wake set reported {((events & WakeSet.Invalid) != 0 ? "an fd it cannot watch (closed, or refused by epoll)" : "an error")} on it; it is no longer waited on (the timer and the other sources remain)", EventLog.Error);
            _wake.Set(slot, -1);
            if (slot == _psiSomeSlot || slot == _psiFullSlot || slot == _psiThrashSlot)
            {
                // Quiet wake-ups skipped the pressure file because this trigger watched it: no longer.
                _samples.PsiTriggerDropped();
            }
            return false;
        }
        return events != 0;
    }

    /// <summary>The wait itself failed (epoll_wait: EFAULT, EINVAL; a reapd bug): reported once per errno, and the cycle runs anyway.</summary>
    private Wake PollFailed(int errno, int timeoutMs)
    {
        if (errno != _lastPollErrno)
        {
            _lastPollErrno = errno;
            _events.Warning("poll"u8, $"epoll_wait failed with errno {errno}; sampling on a short sleep instead until it works again", EventLog.Error);
        }
        Thread.Sleep(Math.Clamp(timeoutMs, 0, _config.InFlightIntervalMs));
        return Wake.Timer;
    }

    private void SensorFailed()
    {
        if (!_sensorFailing)
        {
            _sensorFailing = true;
            _events.Warning("sensor"u8, "cannot read " + _samples.Description, EventLog.Error);
        }
        if (_resources.Cgroup is not null && !Directory.Exists(_resources.Cgroup.Directory))
        {
            // The guarded cgroup is gone: nothing left to guard.
            _exitCode = ExitCodes.NotFound;
            RequestStop("cgroup removed");
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _reloader?.Dispose();
        _actuator.Dispose();
        _recorder?.Dispose();
        _notify?.Dispose();
        _announcer?.Dispose();
        _reaper?.Dispose();
        _wake.Dispose();
        _resources.Dispose();
    }
}
