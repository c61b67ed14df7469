using System.Diagnostics;
using Reapd.Announce;
using Reapd.Core.Daemon;
using Reapd.Core.Decision;
using Reapd.Core.Policy;
using Reapd.Core.Proc;
using Reapd.Core.Selection;
using Reapd.Linux.Cgroups;
using Reapd.Linux.Kill;
using Reapd.Linux.Proc;
using Reapd.Linux.Sensors;

namespace Reapd.Daemon;

/// <summary>
/// Carries out the decision core's commands, and is the only part of the daemon that acts: it scans and ranks,
/// opens the victim through a pidfd and signals it (Reapd.Linux.Kill), hands it to the reaper, watches its pidfds for
/// the exit, and writes the event lines. Each outcome goes back to the core as an input, at once. Owns the victim's
/// handles between the core's Signal and Release commands. Loop thread only.
/// </summary>
internal sealed class Actuator : IDisposable, IRuleOutcomes
{
    private readonly DecisionCore _core;
    private readonly DaemonEvents _events;
    private readonly CandidateSource _candidates;
    private readonly SampleSource _samples;
    private readonly DaemonResources _resources;
    private readonly ProcessReader _reapReader = new();
    private VictimReapJob? _reapJob;
    private ProtectedNames _protectedNames;
    private RuleSet _rules;
    // The rule set the last scan ranked with: the rule indices in _ranked refer to it, also after a reload swapped _rules
    // (a SIGHUP in a victim's grace must not look its old rule hits up in the new list).
    private RuleSet _rankedRules;
    // The names of the rules that touched the victim, for its signal and kill events: filled at its choice, no allocation.
    private readonly byte[] _victimRules = new byte[DaemonEvents.RuleNamesBytes];
    private int _victimRulesLength;
    private readonly int _selfPid = Environment.ProcessId;
    private readonly string? _unifiedMount;
    private readonly string _oomDomain = "/";
    private Candidate[] _ranked = new Candidate[256];
    private RankedVictim[] _rankedVictims = new RankedVictim[256];
    private int _rankedCount;
    // _ranked[.._rankedCount] by pid, built once per scan after the ranking's last reorder: the kill path's lookups
    // (sharers, scope members, the victim's rules and scope) are binary searches, allocation-free.
    private readonly CandidatePidIndex _rankedByPid = new();
    private int _candidateCount;
    private double _scanMs;
    private readonly ScanService _scans;
    private ScanAnswer _scanAnswer;
    private Victim? _victim;
    private ProcessName _victimName;
    private bool _victimExitSeen;
    private int _liveSharersSeen;
    private DecisionReason _triggerReason;
    private KillSignal? _victimSignalled;
    private KillNotice _notice;
    private readonly CgroupFirstChooser? _chooser;
    private readonly UnitGroupReader? _unitReader;
    private readonly string? _v1MemoryMount;
    private ScopeKill? _scopeKill;

    /// <summary>
    /// A reload: the protected names come from the core's new settings and the rules are <paramref name="rules"/>,
    /// compiled from the same settings on the reload thread (never here, on the loop), from the next scan on.
    /// </summary>
    public void Reconfigure(RuleSet rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        _protectedNames = new ProtectedNames(_core.Config.ProtectedNames);
        _rules = rules;
    }

    /// <summary>
    /// Test hook, read once: REAPD_TEST_OPEN_DELAY_MS widens the window between a choice and the victim's pidfd open
    /// (a sleep on the loop) so that a PID-reuse storm test meets the victim's pid reused by a newcomer within it
    /// (docs/reliability.md). Unset (0) in every real run; never set by the unit or the package.
    /// </summary>
    private static readonly int s_testOpenDelayMs =
        int.TryParse(Environment.GetEnvironmentVariable("REAPD_TEST_OPEN_DELAY_MS"), out int delayMs) && delayMs > 0 ? Math.Min(delayMs, 5000) : 0;

    /// <param name="rules">Rules already compiled from the same configuration (the warm-up kill shares the daemon's); null: compiled here.</param>
    /// <param name="onlyPids">When set, every scan (on a scanner thread or here) lists these processes instead of the
    /// scope: the warm-up kill's actuator scans only its own child (<see cref="KillWarmUp"/>).</param>
    public Actuator(DecisionCore core, DaemonEvents events, DaemonResources resources, SampleSource samples, RuleSet? rules = null, int[]? onlyPids = null)
    {
        _core = core;
        _events = events;
        _resources = resources;
        _samples = samples;
        _candidates = new CandidateSource(resources.Cgroup?.Directory, onlyPids);
        _scans = new ScanService(resources.Cgroup?.Directory, core.Config.ScanDeadlineMs, onlyPids);
        _protectedNames = new ProtectedNames(core.Config.ProtectedNames);
        // The configuration was validated (DaemonConfig.Validate compiles the same rules): a failure here is a bug.
        _rules = rules ?? RuleSet.Compile(RuleSet.RulesOf(core.Config));
        _rankedRules = _rules;
        // memory.oom.group exists on cgroup v2 only: the OOM domain is the guarded v2 cgroup, or the whole hierarchy.
        if (resources.Cgroup is { Version: Linux.Sensors.CgroupVersion.V2 } v2)
        {
            _unifiedMount = v2.RelativePath == "/" ? v2.Directory : v2.Directory[..^v2.RelativePath.Length];
            _oomDomain = v2.RelativePath;
        }
        else if (resources.Cgroup is null)
        {
            _unifiedMount = Linux.Sensors.CgroupLocator.UnifiedMount();
        }
        _v1MemoryMount = resources.Cgroup is { Version: Linux.Sensors.CgroupVersion.V1 } v1
            ? v1.Directory[..^v1.RelativePath.TrimEnd('/').Length]
            : Directory.Exists("/sys/fs/cgroup/memory") ? "/sys/fs/cgroup/memory" : null;
        if (_unifiedMount is not null)
        {
            _unitReader = new UnitGroupReader(_unifiedMount);
        }
        // The cgroup-first choice orders the machine's units: system scope only (a guarded cgroup is one unit already).
        if (resources.Cgroup is null && ChoiceModes.CgroupFirst(core.Config.CgroupFirst, _unifiedMount))
        {
            long capacityBytes = resources.System.TryReadMemInfo(out MemInfo info) ? info.MemTotalKiB * 1024 : 0;
            _chooser = new CgroupFirstChooser(_unifiedMount!, ChoiceModes.Kubernetes(core.Config.Kubernetes, _unifiedMount), _candidates.Reader, capacityBytes);
        }
    }

    /// <summary>
    /// The reaper thread, once started (after the priority is raised, so it inherits it). Null: reaps are refused and
    /// only the victim's exit frees its memory.
    /// </summary>
    public ReaperThread? Reaper { get; set; }

    /// <summary>Where the victim in flight is kept for a restarted instance; null when off (and in the warm-up kill).</summary>
    public VictimStateFile? StateFile { get; set; }

    /// <summary>Runs the kill hooks and desktop notifications on its own thread; null when there is nothing to announce.</summary>
    public KillAnnouncer? Announcer { get; set; }

    /// <summary>SIGTERMs and SIGKILLs delivered, for the stop event.</summary>
    public int Terms { get; private set; }

    public int Kills { get; private set; }

    /// <summary>The sample and wake-up of the current cycle, for the trigger event.</summary>
    public MemorySample Sample { get; set; }

    public Wake Wake { get; set; }

    /// <summary>The cgroup-first chooser, when that choice is on (for the startup event).</summary>
    public CgroupFirstChooser? Chooser => _chooser;

    /// <summary>The victim's pidfd while its exit has not been seen (the loop polls it), else -1.</summary>
    public int WatchedPidFd => _victim is not null && !_victimExitSeen ? _victim.PidFdNumber : -1;

    /// <summary>
    /// Called just before the victim's pidfd may be closed (the victim released): the loop takes it out of its wake set
    /// while the number still names that file. Taken out after the close, by number, the removal could hit another
    /// file given the same number in between, and a registration of the old file that outlives the close (a child
    /// being spawned holding a copy until its exec) would go on reporting on the victim's slot.
    /// </summary>
    public Action? VictimFdClosing { get; set; }

    /// <summary>Carries out every queued command; answers may queue more, which are carried out too.</summary>
    public void Drain()
    {
        while (_core.Commands.TryDequeue(out Command command))
        {
            Execute(command);
        }
    }

    /// <summary>
    /// While a victim is in flight: have its pidfd or its sharers' become readable since the last look? Tells the
    /// core when something changed. Non-blocking polls, only while a victim is held.
    /// </summary>
    public void CheckExits(long nowMs)
    {
        if (_victim is null)
        {
            return;
        }
        bool victimExited = _victimExitSeen || _victim.HasExited;
        int live = _liveSharersSeen;
        // While the reaper thread works on the victim it may add sharers (its EINVAL search): the list is its alone.
        if (!IsReaping(_victim))
        {
            live = 0;
            foreach (Sharer sharer in _victim.Sharers)
            {
                if (sharer.KillOutcome is null or SignalOutcome.Sent && !PidFdSyscalls.WaitForExit(sharer.PidFd, 0))
                {
                    live++;
                }
            }
            // A wider kill scope's members count as the victim's memory: the gate waits for them as for sharers.
            live += _scopeKill?.Live ?? 0;
        }
        if (victimExited != _victimExitSeen || live != _liveSharersSeen)
        {
            _victimExitSeen = victimExited;
            _liveSharersSeen = live;
            _core.OnExited(victimExited, live, nowMs);
        }
    }

    /// <summary>A reap answer from the reaper thread, if one is waiting: logs it and tells the core.</summary>
    public void TakeReapAnswer(long nowMs)
    {
        if (Reaper is null || !Reaper.TryTakeCompletion(out ReapCompletion completion))
        {
            return;
        }
        var job = (VictimReapJob)completion.Job;
        _reapJob = null;
        bool current = ReferenceEquals(job.Victim, _victim);
        _events.Reap(job.Id, current ? _victimName.Utf8 : default, completion.Outcome, job.Attempts, completion.DurationMs,
            _core.State.HeldBytes, job.ExitedWhenAnswered, job.ExitUnmapping);
        if (job.Orphaned)
        {
            job.Victim.Dispose();
            job.Scope?.Dispose();
        }
        else if (current)
        {
            // Reaped while the victim's exit unmapped beside the reap: what that exit holds comes back with it, so
            // the core waits for the exit (briefly), not for nothing.
            _core.OnReapAnswered(job.ExitUnmapping ? ReapObservation.ReleasedExitPending : ToObservation(completion.Outcome), nowMs);
        }
    }

    private void Execute(in Command command)
    {
        switch (command.Kind)
        {
            case CommandKind.Scan:
                Scan();
                break;
            case CommandKind.Signal:
                Signal(command.Victim, command.Signal);
                break;
            case CommandKind.KillSharers:
                KillSharers(command.Victim);
                break;
            case CommandKind.Reap:
                Reap(command.Victim);
                break;
            case CommandKind.Release:
                _samples.VictimReleased(MonotonicClock.NowMs);
                ReleaseVictim();
                break;
            case CommandKind.RestartStallWindow:
                _samples.RestartStallWindow();
                break;
            case CommandKind.Report:
                Report(command.Report);
                break;
        }
    }

    private void Scan()
    {
        long start = Stopwatch.GetTimestamp();
        if (_scans.ThreadCount > 0)
        {
            // On a scanner thread, with the deadline: a /proc read that blocks holds that thread, not this loop.
            _scans.Scan(RankingFor(Sample), ref _ranked, ref _scanAnswer);
        }
        else
        {
            // No scanner thread could be started (eventfd refused): scan here, as before, without a deadline.
            ScanOutcome scanned = _candidates.Scan(RankingFor(Sample), out ReadOnlySpan<Candidate> read);
            if (_ranked.Length < read.Length)
            {
                _ranked = new Candidate[Math.Max(read.Length, _ranked.Length * 2)];
            }
            read.CopyTo(_ranked);
            _scanAnswer = default;
            _scanAnswer.End = scanned switch
            {
                ScanOutcome.OutOfFileDescriptors => ScanEnd.OutOfFileDescriptors,
                ScanOutcome.ListUnreadable => ScanEnd.ListUnreadable,
                _ => ScanEnd.Complete,
            };
            _scanAnswer.Ranked = read.Length;
            _scanAnswer.Listed = read.Length;
        }
        _scanMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        _scanAnswer.ElapsedMs = _scanMs;
        _events.Scanned(_scanAnswer, _core.Config.ScanDeadlineMs);
        IndexRanking();
        // `run --record`: the names go with the answer, so a replay with other protect rules can match them.
        _core.Tap?.ScanNames(_ranked.AsSpan(0, _candidateCount));
        _core.OnScanned(_rankedVictims.AsSpan(0, _candidateCount), MonotonicClock.NowMs);
    }

    /// <summary>
    /// The loop's own work on a scan answer (in _ranked and _scanAnswer): candidates first, the cgroup-first order, the
    /// victims handed to the core, the pid index. Its cost and its code paths grow with the ranking's size, so the
    /// warm-up runs it on the real scope's scan (<see cref="WarmUp"/>).
    /// </summary>
    private void IndexRanking()
    {
        _rankedCount = _scanAnswer.Ranked;
        _rankedRules = _rules;
        // Only candidates may reach the core: the victims handed on are the ranking's prefix, so that prefix must hold
        // every candidate and nothing else, whatever order the scan ended in.
        _candidateCount = CandidateRanking.CandidatesFirst(_ranked.AsSpan(0, _rankedCount));
        if (_rankedVictims.Length < _ranked.Length)
        {
            _rankedVictims = new RankedVictim[_ranked.Length];
        }
        if (_chooser is not null)
        {
            // Cgroup-first: the chosen unit's candidates first; the core still takes the first it may. On the loop:
            // /proc/PID/cgroup and the units' cgroup files, which never wait on a process's mmap lock.
            _candidateCount = _chooser.Order(_ranked.AsSpan(0, _rankedCount),
                _triggerReason is DecisionReason.PsiFullStall or DecisionReason.Thrash ? Core.Cgroups.CgroupChoiceRule.Pressure : Core.Cgroups.CgroupChoiceRule.UsageOverProtection);
        }
        for (int i = 0; i < _candidateCount; i++)
        {
            _rankedVictims[i] = RankedVictim.From(_ranked[i]);
        }
        _rankedByPid.Build(_ranked.AsSpan(0, _rankedCount));
    }

    /// <summary>
    /// Starts the first scanner thread (after the priority is raised: it inherits it). False, with a warning, when it
    /// cannot be started: scans then run on the loop, without a deadline.
    /// </summary>
    public bool StartScanner()
    {
        if (_scans.Start())
        {
            return true;
        }
        _events.Warning("scanner"u8, $"cannot start a scanner thread (eventfd errno {_scans.StartErrno}): scans run on the loop, without a deadline", EventLog.Error);
        return false;
    }

    /// <summary>
    /// Warms the scanner and the loop's handling of its answer (arrays at their working size, code mapped) without
    /// deciding anything: a scan of the real scope, indexed as an emergency's scan is (<see cref="IndexRanking"/>),
    /// then forgotten. The warm-up kill that follows ranks only its own child, so without this the loop's steps whose
    /// code depends on the ranking's size first ran in a real emergency (docs/reliability.md, "Under its own pressure").
    /// </summary>
    public void WarmUp(in MemorySample sample)
    {
        if (_scans.ThreadCount > 0)
        {
            _scans.Scan(RankingFor(sample), ref _ranked, ref _scanAnswer);
        }
        else
        {
            _ = _candidates.Scan(RankingFor(sample), out ReadOnlySpan<Candidate> read);
            if (_ranked.Length < read.Length)
            {
                _ranked = new Candidate[Math.Max(read.Length, _ranked.Length * 2)];
            }
            read.CopyTo(_ranked);
            _scanAnswer = default;
            _scanAnswer.Ranked = read.Length;
        }
        IndexRanking();
        _ = CandidatePidIndex.WarmUp();
        // The sorts the handling above runs only past 16 entries, whatever the scope's size now.
        CandidateRanking.WarmUpSort();
        if (_chooser is not null)
        {
            _ = CgroupFirstChooser.WarmUpSorts();
        }
        _rankedByPid.Clear();
        _rankedCount = _candidateCount = 0;
        _scanAnswer = default;
    }

    /// <summary>
    /// Holds a victim a previous instance signalled (its pidfd opened and its identity confirmed by the caller), as if
    /// this actuator had signalled it: the core's adopted state and this handle then go together.
    /// </summary>
    public void Adopt(Victim victim, ProcessName name, VictimPhase phase, ScopeKill? members = null)
    {
        ReleaseVictim();
        _victim = victim;
        // The previous instance's scope members: counted as the victim's memory by CheckExits until they are gone.
        _scopeKill = members;
        _victimName = name;
        _victimSignalled = phase == VictimPhase.Killed ? KillSignal.SigKill : KillSignal.SigTerm;
        StateFile?.Adopted();
    }

    /// <summary>The protected names the sharer search excludes (an adopted victim's search excludes them too).</summary>
    internal ProtectedNames ProtectedNames => _protectedNames;

    /// <summary>The compiled rules (the warm-up kill's actuator shares them instead of compiling its own).</summary>
    internal RuleSet Rules => _rules;

    /// <summary>The scope's badness yardstick, exactly as `reapd ls` computes it.</summary>
    private RankingScope RankingFor(in MemorySample sample) =>
        RankingScopes.For(_resources.Cgroup, sample, _resources.System.TryReadMemInfo(out MemInfo info) ? info : null, _selfPid, _protectedNames).WithRules(_rules);

    /// <summary>
    /// A new victim is opened through a pidfd first and its identity confirmed, its mm sharers found (with their
    /// exclusions); an escalation reuses the pidfd the SIGTERMed victim has been held by since its choice. SIGTERM goes
    /// to the victim only; SIGKILL to every sharer (each re-checked) and then the victim.
    /// </summary>
    private void Signal(VictimId id, KillSignal signal)
    {
        bool escalation = _victim is not null && _victim.Pid == id.Pid && _victim.StartTimeTicks == id.StartTimeTicks;
        if (!escalation)
        {
            ReleaseVictim();
            _victimName = NameOf(id, out RuleHits hits);
            _victimRulesLength = DaemonEvents.FormatRuleNames(_rankedRules, hits, _victimRules);
        }
        if (_core.Config.DryRun)
        {
            _events.Signal(id, _victimName.Utf8, signal, "dry-run", null, null, rules: VictimRules);
            _core.OnSignalled(SignalResult.DryRun, 0, MonotonicClock.NowMs);
            return;
        }
        if (!escalation && !TryOpen(id, signal))
        {
            return;
        }
        Victim victim = _victim!;
        bool term = signal == KillSignal.SigTerm;
        if (!term)
        {
            PrepareScope(id);
        }
        bool announced = Announce(KillNoticeKind.Before, id, signal, default, wake: false);
        // The per-CPU lists' size at the signal is the base of what the victim frees onto them. Read before the signal
        // for a wider kill scope, whose members start freeing at once; otherwise after it, off the SIGKILL's path.
        long listsBefore = !term && _scopeKill is not null ? _samples.ListBytesNow() : -1;
        SignalOutcome outcome;
        try
        {
            outcome = term ? victim.Terminate() : victim.Kill(_candidates.Reader);
            if (!term && outcome == SignalOutcome.Sent)
            {
                _scopeKill?.KillMembers();
            }
        }
        finally
        {
            // A cgroup scope's unit was frozen by PrepareScope: thawed on every path, the victim's kill failing included.
            _scopeKill?.Thaw();
        }
        if (outcome == SignalOutcome.Sent)
        {
            // First, before the events: the victim has begun to free.
            _samples.VictimSignalled(_core.State.HeldBytes, newVictim: !escalation, listsBefore >= 0 ? listsBefore : _samples.ListBytesNow());
        }
        if (_scopeKill is { ThawErrno: not 0 } unthawed)
        {
            // Never silent: the write of 0 went through the fd kept from the freeze and still failed.
            _events.Warning("scope-thaw"u8, string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"could not thaw {unthawed.Target} (cgroup.freeze write errno {unthawed.ThawErrno}): the unit may stay frozen; write 0 to its cgroup.freeze"), EventLog.Error);
        }
        if (announced)
        {
            Announcer!.Wake();
        }
        else if (Announcer is not null)
        {
            // The ring was full: said only now, so that not even the warning's line is ahead of the signal.
            Announcer.Wake();
            NoticeDropped();
        }
        _events.Signal(id, _victimName.Utf8, signal, outcome.Name(), outcome == SignalOutcome.Sent ? null : outcome.Describe(), victim,
            !term && outcome == SignalOutcome.Sent ? KillOomGroup(id) : null, VictimRules, term ? null : _scopeKill);
        if (outcome == SignalOutcome.Sent)
        {
            _victimSignalled = signal;
            if (term)
            {
                Terms++;
            }
            else
            {
                Kills++;
            }
        }
        // After a SIGTERM the core watches the sharers found; after a SIGKILL those that were signalled.
        long signalledMs = MonotonicClock.NowMs;
        _core.OnSignalled(ToResult(outcome), term ? victim.Sharers.Count : SignalledSharers(), signalledMs);
        // Only now, with the signal delivered: a restarted instance adopts this victim instead of choosing another.
        if (outcome == SignalOutcome.Sent && _core.State.InFlight)
        {
            StateFile?.Written(id, _core.State.Phase, signalledMs, _core.State.HeldBytes, victim, _scopeKill);
        }
    }

    /// <summary>
    /// The kill scope for this victim: the scope of the last rule that touched it and gives one (its candidate record
    /// carries the rule hits), else the configured one. This is the one place the actuator asks.
    /// </summary>
    private KillScope ScopeFor(VictimId id)
    {
        int i = FindRanked(id.Pid, id.StartTimeTicks);
        return i >= 0 ? KillScopes.For(_ranked[i], _rankedRules, _core.Config.KillScope) : _core.Config.KillScope;
    }

    /// <summary>
    /// Before the victim's SIGKILL: finds and opens the members of a wider kill scope (docs/cgroups.md). Done before the
    /// signal because the victim's exit reparents its children; it costs one pass over /proc for a process group or a
    /// subtree, and only when such a scope is configured.
    /// </summary>
    private void PrepareScope(VictimId id)
    {
        KillScope scope = ScopeFor(id);
        if (scope == KillScope.Process || _scopeKill is not null)
        {
            return;
        }
        Span<int> sharers = stackalloc int[Math.Min(_victim!.Sharers.Count, 64)];
        for (int i = 0; i < sharers.Length; i++)
        {
            sharers[i] = _victim.Sharers[i].Pid;
        }
        UnitGroupReader? units = _unitReader;
        ProcessReader reader = _candidates.Reader;
        _scopeKill = ScopeKill.Prepare(scope, id.Pid, reader, RankingFor(Sample), sharers,
            units is null ? null : pid => units.MemberExclusion(pid, reader), _unifiedMount, _v1MemoryMount, knownRules: this);
        // A cgroup v2 unit is frozen and checked again before the victim's SIGKILL, so that no process that joined it
        // after the check dies unchecked; the kill below thaws it. ScopeKill.FreezeBoundMs bounds the wait for "frozen"
        // and the re-check together, not the write of 1 to cgroup.freeze: that write takes the kernel's cgroup_mutex,
        // and a holder of that mutex (a cgroup being created or removed, a migration) delays the SIGKILL by as long.
        _scopeKill.FreezeAndRecheck();
    }

    /// <summary>
    /// The last scan's verdict on a process's rules (loop thread only: the ranking is the loop's copy). Only when the
    /// scan ranked with the rules in force now and finished that process's rules, command line included.
    /// </summary>
    bool IRuleOutcomes.TryGet(int pid, ulong startTimeTicks, out ExclusionReason exclusion)
    {
        exclusion = ExclusionReason.None;
        if (!ReferenceEquals(_rules, _rankedRules))
        {
            return false;
        }
        int i = FindRanked(pid, startTimeTicks);
        if (i < 0)
        {
            return false;
        }
        ref readonly Candidate scanned = ref _ranked[i];
        // Excluded before the rules ran (by the kernel's criteria at scan time): the rules were not evaluated.
        if (scanned.RulesPending || scanned.Exclusion is not (ExclusionReason.None or ExclusionReason.Ignored
            or ExclusionReason.Protected or ExclusionReason.ProtectUnevaluated or ExclusionReason.IgnoreUnevaluated))
        {
            return false;
        }
        exclusion = scanned.Exclusion;
        return true;
    }

    /// <summary>The last scan's entry for this process (pid and start time), or -1: a binary search of the scan's index.</summary>
    private int FindRanked(int pid, ulong startTimeTicks) => _rankedByPid.Find(_ranked.AsSpan(0, _rankedCount), pid, startTimeTicks);

    /// <summary>Opens and confirms a new victim and finds its sharers; on any other outcome answers the core itself.</summary>
    private bool TryOpen(VictimId id, KillSignal signal)
    {
        if (s_testOpenDelayMs > 0)
        {
            Thread.Sleep(s_testOpenDelayMs);
        }
        VictimOpenOutcome opened = Victim.TryOpen(id.Pid, id.StartTimeTicks, _candidates.Reader, out Victim? victim, _selfPid, _protectedNames, _rules);
        if (opened != VictimOpenOutcome.Confirmed)
        {
            _events.Signal(id, _victimName.Utf8, signal, opened.Name(), opened.Describe(), null);
            _core.OnSignalled(opened switch
            {
                VictimOpenOutcome.Gone => SignalResult.Gone,
                VictimOpenOutcome.PidReused => SignalResult.PidReused,
                _ => SignalResult.Failed,
            }, 0, MonotonicClock.NowMs);
            return false;
        }
        _victim = victim;
        // Sharers are judged on the loop: a rule on a command line is taken from the scan, never read here (a read of
        // a stranger's cmdline blocks while its mm is held).
        SharerSearchOutcome sharers = victim!.FindSharers(_candidates.Reader, out _, knownRules: this);
        if (sharers == SharerSearchOutcome.VictimGone)
        {
            _events.Signal(id, _victimName.Utf8, signal, "Gone", "the victim exited before it was signalled", victim);
            _core.OnSignalled(SignalResult.Gone, 0, MonotonicClock.NowMs);
            return false;
        }
        if (sharers == SharerSearchOutcome.SharerExcluded)
        {
            // A sharer of its mm may never be killed, so its memory cannot come back: the core excludes it and chooses
            // another, as the kernel skips such an mm.
            _events.Signal(id, _victimName.Utf8, signal, sharers.Name(),
                $"{sharers.Describe()}: pid {victim.ExcludedSharer?.Pid} ({victim.ExcludedSharer?.Reason.Describe()})", victim);
            _core.OnSignalled(SignalResult.SharerExcluded, 0, MonotonicClock.NowMs);
            return false;
        }
        return true;
    }

    /// <summary>
    /// After the victim's SIGKILL: if its cgroup (or an ancestor up to the OOM domain) has memory.oom.group set, the
    /// kernel would kill that whole group with it; so does reapd, through cgroup.kill (docs/platforms.md). Null when
    /// there is no group. The core still follows the victim alone: the group's other members free their memory too.
    /// </summary>
    private OomGroupKill? KillOomGroup(VictimId id) =>
        _unifiedMount is null ? null : OomGroup.KillGroupOf(id.Pid, _unifiedMount, _oomDomain, _selfPid);

    private void KillSharers(VictimId id)
    {
        if (_victim is null || _core.Config.DryRun)
        {
            return;
        }
        _victim.KillSharers(_candidates.Reader);
        _events.Signal(id, _victimName.Utf8, KillSignal.SigKill, "sharers", "the victim exited; the processes sharing its mm still hold its memory", _victim,
            rules: VictimRules);
    }

    private void Reap(VictimId id)
    {
        ReapSubmitOutcome submitted = ReapSubmitOutcome.Stopped;
        if (_victim is { KillSentTimestamp: 0 })
        {
            // The victim left before its SIGKILL (it exited in its grace, or was a zombie when adopted) and only its
            // SIGKILLed sharers hold the mm: process_mrelease through the victim's pidfd is always refused then, and
            // the reaper treats that call as a bug. Their exit frees the memory.
            _events.Warning("reap"u8, "the victim left before its SIGKILL: its sharers' exit frees the memory");
            _core.OnReapAnswered(ReapObservation.Failed, MonotonicClock.NowMs);
            return;
        }
        if (_victim is not null && Reaper is not null)
        {
            var job = new VictimReapJob(_victim, _reapReader, _scopeKill);
            submitted = Reaper.Submit(job);
            if (submitted == ReapSubmitOutcome.Accepted)
            {
                _reapJob = job;
                return;
            }
        }
        // Nothing to reap through, no reaper, or the reaper still inside an earlier, stuck reap: only the exit frees it.
        _events.Warning("reap"u8, _victim is null ? "no victim handle to reap through"
            : Reaper is null ? "no reaper thread"
            : $"the reaper thread cannot take it ({submitted}): an earlier reap is still in the kernel; waiting for the exit instead");
        _core.OnReapAnswered(ReapObservation.Failed, MonotonicClock.NowMs);
    }

    private bool IsReaping(Victim victim) => _reapJob is not null && ReferenceEquals(_reapJob.Victim, victim);

    private void Report(in DecisionReport report)
    {
        switch (report.Kind)
        {
            case ReportKind.Trigger:
                _triggerReason = report.Reason;
                _events.Trigger(report, Sample, Wake, _victimName.Utf8);
                break;
            case ReportKind.Choice:
                _events.Choice(report, _ranked.AsSpan(0, _rankedCount), _candidateCount, _scanMs, _rankedRules, _scanAnswer,
                    // The scanner's command lines follow its own order, which the cgroup-first choice rearranged.
                    _chooser is null ? _scans.Cmdline(report.ChoiceIndex, _scanAnswer) : default, _chooser);
                break;
            case ReportKind.NoCandidate:
                _events.NoCandidate(report, _rankedCount, _scanMs);
                break;
            case ReportKind.Retarget:
                _events.Release(report, _victimName.Utf8);
                break;
            case ReportKind.ReapSlow:
                _events.ReapSlow(report, _victimName.Utf8);
                break;
            case ReportKind.Stuck:
                ProcessWaitState.TryRead(report.Victim.Pid, out string waitChannel, out string state);
                _events.Stuck(report, _victimName.Utf8, waitChannel, state);
                break;
            case ReportKind.Settled:
                _events.Settle(report, _victimName.Utf8, Sample);
                if (_victimSignalled is KillSignal last)
                {
                    _ = Announce(KillNoticeKind.After, report.Victim, last, report);
                }
                break;
        }
    }

    /// <summary>
    /// Hands a kill to the announcer: a copy into its ring, no allocation, no wait. The before notice is queued just
    /// ahead of the signal and the announcer woken right after it, so the hook starts as the kill is decided while the
    /// signal waits for nothing, not even the eventfd write. True when queued.
    /// </summary>
    private bool Announce(KillNoticeKind kind, VictimId id, KillSignal signal, in DecisionReport settle, bool wake = true)
    {
        if (Announcer is null)
        {
            return false;
        }
        _notice.Kind = kind;
        _notice.Pid = id.Pid;
        _notice.StartTimeTicks = id.StartTimeTicks;
        _notice.Name = _victimName;
        _notice.Signal = signal;
        _notice.Reason = _triggerReason;
        _notice.HeldBytes = kind == KillNoticeKind.After ? settle.HeldBytes : _core.State.HeldBytes;
        _notice.RecoveredBytes = settle.RecoveredBytes;
        _notice.Cause = settle.Cause;
        _notice.InFlightMs = settle.InFlightMs;
        _notice.Reaped = settle.Reaped;
        _notice.Gone = settle.Gone;
        if (!Announcer.TryEnqueue(_notice, wake))
        {
            if (wake)
            {
                NoticeDropped();
            }
            return false;
        }
        return true;
    }

    private void NoticeDropped() =>
        _events.Warning("announcer"u8, "its queue is full: a kill notice is dropped (no hook, no notification for it)");

    private ReadOnlySpan<byte> VictimRules => _victimRules.AsSpan(0, _victimRulesLength);

    private ProcessName NameOf(VictimId id, out RuleHits hits)
    {
        int i = FindRanked(id.Pid, id.StartTimeTicks);
        if (i >= 0)
        {
            hits = _ranked[i].Rules;
            return _ranked[i].Name;
        }
        hits = default;
        return default;
    }

    private int SignalledSharers()
    {
        int count = 0;
        foreach (Sharer sharer in _victim!.Sharers)
        {
            if (sharer.KillOutcome == SignalOutcome.Sent)
            {
                count++;
            }
        }
        count += _scopeKill?.Signalled ?? 0;
        _liveSharersSeen = count;
        return count;
    }

    private void ReleaseVictim()
    {
        if (_victim is not null)
        {
            VictimFdClosing?.Invoke();
        }
        // The reaper thread may still hold it (a reap stuck in the kernel): then it is disposed when its completion is taken.
        if (_victim is not null && IsReaping(_victim))
        {
            _reapJob!.Orphaned = true;
        }
        else
        {
            _victim?.Dispose();
            _scopeKill?.Dispose();
        }
        _victim = null;
        _scopeKill = null;
        _victimName = default;
        _victimExitSeen = false;
        StateFile?.Cleared();
        _liveSharersSeen = 0;
        _victimSignalled = null;
    }

    private static SignalResult ToResult(SignalOutcome outcome) => outcome switch
    {
        SignalOutcome.Sent => SignalResult.Sent,
        SignalOutcome.AlreadyReaped => SignalResult.Gone,
        _ => SignalResult.Failed,
    };

    private static ReapObservation ToObservation(ReapOutcome outcome) => outcome switch
    {
        ReapOutcome.Reaped => ReapObservation.Released,
        ReapOutcome.AlreadyExiting => ReapObservation.NoMm,
        ReapOutcome.NotDyingOrShared => ReapObservation.Refused,
        ReapOutcome.CoreDumping => ReapObservation.CoreDumping,
        ReapOutcome.NotSupported => ReapObservation.Unsupported,
        ReapOutcome.NotAttempted => ReapObservation.NotAttempted,
        _ => ReapObservation.Failed,
    };

    public void Dispose()
    {
        ReleaseVictim();
        _scans.Dispose();
    }

    /// <summary>After <see cref="Dispose"/>: the warm-up waits for its scanner threads to end (<see cref="ScanService.JoinStopped"/>).</summary>
    public bool JoinStoppedScanners(int timeoutMs) => _scans.JoinStopped(timeoutMs);
}
