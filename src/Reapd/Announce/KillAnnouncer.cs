using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Reapd.Core.Decision;
using Reapd.Core.Proc;
using Reapd.Linux.Desktop;
using Reapd.Linux.Proc;
using Reapd.Linux.Sensors;
using Reapd.Linux.Spawn;

namespace Reapd.Announce;

/// <summary>
/// Tells the world about kills, on a thread of its own: runs the before-kill and after-kill hooks and sends the
/// desktop notifications. The loop thread only copies a <see cref="KillNotice"/> into a small preallocated ring and
/// wakes the thread (<see cref="TryEnqueue"/>: no allocation, no wait); a full ring drops the notice and counts it.
/// Everything slow — reading the victim's cgroup, finding session buses, spawning, waiting, killing a hook that
/// overstays — happens here, so nothing of it can delay a kill or the next sample.
/// <para>
/// Every child is reapd's own executable started as a trampoline (<see cref="ChildCommand"/>) with posix_spawn, in
/// a process group of its own, held by a pidfd, with a deadline: a hook becomes the configured program at
/// oom_score_adj 0 and nice 0; a notifier becomes the session's user and speaks D-Bus. At most
/// <see cref="MaxChildren"/> run at once; a child past its deadline is SIGKILLed with its process group. What became
/// of each comes back to the loop through <see cref="TryTakeOutcome"/> for its event line.
/// </para>
/// <para>
/// Single producer (the loop) and single consumer (this thread) on the notice ring: <c>_head</c> counts notices ever
/// queued and is written by the loop after the slot is filled; <c>_tail</c> counts notices ever taken and is written
/// here after the slot was copied out. Owns the thread, its eventfd and the children.
/// </para>
/// </summary>
internal sealed class KillAnnouncer : IDisposable
{
    public const int QueueCapacity = 8;
    public const int MaxChildren = 8;
    private const int MaxOutcomesQueued = 64;
    private const int StopGraceMs = 1000;

    /// <summary>The environment a hook starts with besides the REAPD_* variables: a fixed PATH and nothing of reapd's own.</summary>
    public const string HookPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    private readonly KillNotice[] _ring = new KillNotice[QueueCapacity];
    private readonly ConcurrentQueue<AnnounceOutcome> _outcomes = new();
    private readonly AnnounceOptions _options;
    private readonly string _scope;
    private readonly string _executable;
    private readonly string _runtimeRoot;
    private readonly EventFdHandle _wake;
    private readonly int _wakeFd;
    private readonly Thread _thread;
    private readonly ProcessReader _proc = new();

    // Loop thread writes, announcer reads.
    private long _head;
    // Announcer writes, loop reads.
    private long _tail;
    private long _dropped;
    private int _outcomesQueued;
    private long _outcomesDropped;
    private volatile bool _stopping;

    // Announcer thread only.
    private readonly Running?[] _children = new Running?[MaxChildren];
    private long _droppedReported;
    private int _cgroupPid;
    private ulong _cgroupStartTicks;
    private string _cgroup = "";

    private KillAnnouncer(AnnounceOptions options, string scope, string executable, string runtimeRoot, EventFdHandle wake)
    {
        _options = options;
        _scope = scope;
        _executable = executable;
        _runtimeRoot = runtimeRoot;
        _wake = wake;
        _wakeFd = wake.Fd;
        _thread = new Thread(Run, maxStackSize: 256 * 1024) { IsBackground = true, Name = "reapd announcer" };
    }

    /// <summary>Notices the ring had no room for, since the start.</summary>
    public long Dropped => Volatile.Read(ref _dropped);

    public AnnounceOptions Options => _options;

    /// <summary>
    /// Starts the thread. <paramref name="executable"/>: the trampoline, reapd's own executable (/proc/self/exe: the
    /// running image even if the file was replaced since). Null with the errno when no eventfd can be had.
    /// </summary>
    public static KillAnnouncer? TryStart(AnnounceOptions options, string scope, out int errno,
        string executable = "/proc/self/exe", string runtimeRoot = SessionBus.DefaultRuntimeRoot)
    {
        EventFdHandle? wake = EventFdHandle.Create(out errno);
        if (wake is null)
        {
            return null;
        }
        var announcer = new KillAnnouncer(options, scope, executable, runtimeRoot, wake);
        bool added = false;
        wake.DangerousAddRef(ref added);
        announcer._thread.Start();
        return announcer;
    }

    /// <summary>
    /// Loop thread only. Copies the notice into the ring and, unless <paramref name="wake"/> is false, wakes the
    /// thread; false (counted) when full, and then woken only if <paramref name="wake"/>. A notice queued (or refused)
    /// without the wake-up waits for <see cref="Wake"/> (or the
    /// next notice): the loop queues the before-kill notice ahead of the signal and wakes the thread after it, so the
    /// signal is not behind even the eventfd write.
    /// </summary>
    public bool TryEnqueue(in KillNotice notice, bool wake = true)
    {
        long head = _head;
        if (head - Volatile.Read(ref _tail) >= _ring.Length)
        {
            Volatile.Write(ref _dropped, _dropped + 1);
            if (wake)
            {
                _wake.Signal();
            }
            return false;
        }
        _ring[head % _ring.Length] = notice;
        Volatile.Write(ref _head, head + 1);
        if (wake)
        {
            _wake.Signal();
        }
        return true;
    }

    /// <summary>Loop thread: wakes the thread for notices queued without a wake-up.</summary>
    public void Wake() => _wake.Signal();

    /// <summary>Loop thread: the next outcome to log, if any. Allocation-free when there is none.</summary>
    public bool TryTakeOutcome(out AnnounceOutcome outcome)
    {
        if (_outcomes.TryDequeue(out outcome!))
        {
            _ = Interlocked.Decrement(ref _outcomesQueued);
            return true;
        }
        return false;
    }

    /// <summary>Stops the thread: running children are killed with their groups and reaped (bounded).</summary>
    public void Dispose()
    {
        _stopping = true;
        _wake.Signal();
        _ = _thread.Join(StopGraceMs + 1000);
        _wake.Dispose();
    }

    private void Run()
    {
        // A child copies its creating thread's nice: this thread runs at 0, not at the daemon's -20.
        _ = ChildSetup.ResetCallingThreadNice();
        var wait = new WakeSet(1 + MaxChildren);
        try
        {
            int wakeSlot = wait.Add(_wakeFd, WakeSet.Readable);
            for (int i = 0; i < MaxChildren; i++)
            {
                _ = wait.Add(-1, WakeSet.Readable);
            }
            while (true)
            {
                bool stopping = _stopping;
                TakeNotices();
                CollectChildren();
                if (stopping)
                {
                    StopChildren(wait);
                    return;
                }
                for (int i = 0; i < MaxChildren; i++)
                {
                    wait.Set(1 + i, _children[i] is Running r && !r.Child.Reaped ? r.Child.PidFdNumber : -1);
                }
                _ = wait.Wait(NextDeadlineMs(), out _);
                if ((wait.Fired(wakeSlot) & WakeSet.Readable) != 0)
                {
                    _ = _wake.Drain();
                }
            }
        }
        finally
        {
            wait.Dispose();
            _wake.DangerousRelease();
        }
    }

    private void TakeNotices()
    {
        long tail = _tail;
        while (tail < Volatile.Read(ref _head))
        {
            KillNotice notice = _ring[tail % _ring.Length];
            Volatile.Write(ref _tail, ++tail);
            Handle(notice);
        }
        long dropped = Volatile.Read(ref _dropped);
        if (dropped > _droppedReported)
        {
            Report(new AnnounceOutcome(AnnounceWhat.Dropped, 0, "", "dropped",
                $"{dropped - _droppedReported} kill notices dropped: the announcer's queue ({QueueCapacity}) was full; {dropped} since the start"));
            _droppedReported = dropped;
        }
    }

    private void Handle(in KillNotice notice)
    {
        string name = notice.Name.ToString();
        string cgroup = CgroupOf(notice);
        if (notice.Kind == KillNoticeKind.Before)
        {
            if (_options.BeforeKillHook is string before)
            {
                StartHook(AnnounceWhat.BeforeKillHook, before, HookEnvironment(notice, name, cgroup), notice.Pid, name);
            }
            return;
        }
        if (_options.AfterKillHook is string after)
        {
            StartHook(AnnounceWhat.AfterKillHook, after, HookEnvironment(notice, name, cgroup), notice.Pid, name);
        }
        if (_options.NotifyDesktop != DesktopNotifyMode.Off)
        {
            Notify(notice, name);
        }
    }

    /// <summary>
    /// The victim's cgroup: the v1 memory controller's path where there is one (the memory cgroup is the one an OOM
    /// killer is about), else the unified one. Read once, for the first notice about a victim (its before-kill notice,
    /// while /proc still shows it: a SIGKILLed process keeps its cgroup until it is reaped), its start time checked so
    /// a reused pid is never reported; kept for its after-kill notice, when the process is usually gone.
    /// </summary>
    private string CgroupOf(in KillNotice notice)
    {
        if (notice.Pid == _cgroupPid && notice.StartTimeTicks == _cgroupStartTicks)
        {
            return _cgroup;
        }
        Span<byte> text = stackalloc byte[4096];
        string cgroup = "";
        if (_proc.TryReadCgroup(notice.Pid, text, out int length) == ProcReadOutcome.Ok
            && _proc.TryReadStat(notice.Pid, out ProcStat stat) == ProcReadOutcome.Ok && stat.StartTimeTicks == notice.StartTimeTicks)
        {
            if (ProcCgroupParser.TryFindV1(text[..length], "memory"u8, out ReadOnlySpan<byte> path)
                || ProcCgroupParser.TryFindUnified(text[..length], out path))
            {
                cgroup = System.Text.Encoding.UTF8.GetString(path);
            }
        }
        (_cgroupPid, _cgroupStartTicks, _cgroup) = (notice.Pid, notice.StartTimeTicks, cgroup);
        return cgroup;
    }

    /// <summary>What a hook finds in its environment (docs/notifications.md lists every variable).</summary>
    private List<string> HookEnvironment(in KillNotice notice, string name, string cgroup)
    {
        var environment = new List<string>
        {
            "PATH=" + HookPath,
            "REAPD_EVENT=" + (notice.Kind == KillNoticeKind.Before ? "before-kill" : "after-kill"),
            "REAPD_PID=" + Text(notice.Pid),
            "REAPD_COMM=" + name,
            "REAPD_CGROUP=" + cgroup,
            "REAPD_REASON=" + ReasonToken(notice.Reason),
            "REAPD_SIGNAL=" + (notice.Signal == KillSignal.SigTerm ? "SIGTERM" : "SIGKILL"),
            "REAPD_HELD_BYTES=" + Text(notice.HeldBytes),
            "REAPD_SCOPE=" + _scope,
        };
        if (notice.Kind == KillNoticeKind.After)
        {
            long freed = FreedBytes(notice);
            environment.Add("REAPD_FREED_BYTES=" + Text(freed));
            environment.Add("REAPD_FREED_MIB=" + Text(freed >> 20));
            environment.Add("REAPD_RECOVERED_BYTES=" + Text(notice.RecoveredBytes));
            environment.Add("REAPD_SETTLE=" + CauseToken(notice.Cause));
            environment.Add("REAPD_IN_FLIGHT_MS=" + Text(notice.InFlightMs));
        }
        return environment;
    }

    /// <summary>
    /// Memory freed by the kill: what the victim held when the kernel confirmed it freed it (reaped, or it and its mm
    /// sharers exited); otherwise (a settle timeout, a stuck exit) only the rise of available memory that was seen.
    /// </summary>
    public static long FreedBytes(in KillNotice notice) =>
        (notice.Reaped || notice.Gone) && notice.Cause is not SettleCause.Timeout and not SettleCause.StuckInMmput
            ? notice.HeldBytes : notice.RecoveredBytes;

    private void StartHook(AnnounceWhat what, string program, List<string> environment, int victimPid, string victimName)
    {
        string[] argv = [_executable, ChildCommand.HookVerb, program];
        Start(what, argv, environment, victimPid, victimName, program, 0, "");
    }

    private void Notify(in KillNotice notice, string name)
    {
        List<SessionBus> buses = SessionBus.Find(_runtimeRoot);
        if (buses.Count == 0)
        {
            if (_options.NotifyDesktop == DesktopNotifyMode.On)
            {
                Report(new AnnounceOutcome(AnnounceWhat.DesktopNotification, notice.Pid, name, "no-session-bus",
                    $"no logged-in user's session bus under {_runtimeRoot} (UID/bus)"));
            }
            return;
        }
        string summary = $"reapd killed {name} (pid {Text(notice.Pid)})";
        string body = NotificationBody(notice);
        foreach (SessionBus bus in buses)
        {
            string[] argv = [_executable, ChildCommand.NotifyVerb, Text(bus.Uid), Text(bus.Gid), bus.SocketPath, summary, body];
            Start(AnnounceWhat.DesktopNotification, argv, ["PATH=" + HookPath], notice.Pid, name, "", bus.Uid, bus.SocketPath);
        }
    }

    public string NotificationBody(in KillNotice notice)
    {
        string freed = (FreedBytes(notice) / 1048576.0).ToString("0.#", CultureInfo.InvariantCulture);
        string why = notice.Reason switch
        {
            DecisionReason.PsiFullStall => "the system was stalled on memory",
            DecisionReason.PsiSomeStall => "tasks were stalled on memory",
            DecisionReason.Thrash => "the system was thrashing (stalled on memory it kept faulting back in)",
            DecisionReason.TermLevel => "available memory fell to the term level",
            DecisionReason.GraceExpired => "it did not exit within its SIGTERM grace",
            _ => "available memory fell to the kill level",
        };
        string where = _scope == "system" ? "" : $" in {_scope}";
        return notice.Cause switch
        {
            SettleCause.Timeout or SettleCause.StuckInMmput =>
                $"{notice.Signal switch { KillSignal.SigTerm => "SIGTERM", _ => "SIGKILL" }} because {why}{where}; its memory has not all come back ({freed} MiB so far).",
            _ => $"Freed {freed} MiB: {why}{where}.",
        };
    }

    private void Start(AnnounceWhat what, string[] argv, List<string> environment, int victimPid, string victimName, string program, uint uid, string bus)
    {
        int slot = Array.IndexOf(_children, null);
        if (slot < 0)
        {
            Report(new AnnounceOutcome(what, victimPid, victimName, "dropped", $"{MaxChildren} hooks and notifiers are still running", 0, 0, program, uid, bus));
            return;
        }
        long startTicks = Stopwatch.GetTimestamp();
        SpawnedChild? child = SpawnedChild.TryStart(argv[0], argv, environment, out int error);
        if (child is null)
        {
            Report(new AnnounceOutcome(what, victimPid, victimName, "spawn-failed", $"posix_spawn of {argv[0]}: error {error}", 0, 0, program, uid, bus));
            return;
        }
        _children[slot] = new Running(child, what, startTicks, Environment.TickCount64 + _options.HookTimeoutMs, victimPid, victimName, program, uid, bus);
    }

    private void CollectChildren()
    {
        long now = Environment.TickCount64;
        for (int i = 0; i < MaxChildren; i++)
        {
            if (_children[i] is not Running running)
            {
                continue;
            }
            if (running.Child.TryCollect(out ChildExit exit))
            {
                Report(Finished(running, exit));
                running.Child.Dispose();
                _children[i] = null;
            }
            else if (!running.TimedOut && now >= running.DeadlineMs)
            {
                // Its pidfd becomes readable once it has died; reaped on the next pass.
                running.TimedOut = true;
                running.Child.KillGroup();
            }
        }
    }

    private AnnounceOutcome Finished(Running running, ChildExit exit)
    {
        double ms = Stopwatch.GetElapsedTime(running.StartTicks).TotalMilliseconds;
        (string result, string detail) = running.TimedOut
            ? ("timeout", $"still running after {_options.HookTimeoutMs} ms: killed with its process group ({exit})")
            : running.What == AnnounceWhat.DesktopNotification ? ChildCommand.DescribeNotifyExit(exit)
            : exit is { Kind: ChildExitKind.Exited, Code: 0 } ? ("ok", exit.ToString())
            : exit is { Kind: ChildExitKind.Exited, Code: ChildCommand.ExecFailedExitCode } ? ("failed", $"{exit} (the program could not be started)")
            : ("failed", exit.ToString());
        return new AnnounceOutcome(running.What, running.VictimPid, running.VictimName, result, detail, running.Child.Pid, ms, running.Program, running.Uid, running.Bus);
    }

    /// <summary>At stop: every child still running is killed with its group and reaped, waiting at most <see cref="StopGraceMs"/>.</summary>
    private void StopChildren(WakeSet wait)
    {
        foreach (Running? running in _children)
        {
            if (running is not null && !running.Child.Reaped)
            {
                running.TimedOut = true;
                running.Child.KillGroup();
            }
        }
        long deadline = Environment.TickCount64 + StopGraceMs;
        while (Environment.TickCount64 < deadline && Array.Exists(_children, c => c is not null))
        {
            CollectChildren();
            _ = wait.Wait(10, out _);
        }
    }

    private int NextDeadlineMs()
    {
        long next = long.MaxValue;
        foreach (Running? running in _children)
        {
            if (running is not null && !running.TimedOut)
            {
                next = Math.Min(next, running.DeadlineMs);
            }
        }
        return next == long.MaxValue ? -1 : (int)Math.Clamp(next - Environment.TickCount64, 0, int.MaxValue);
    }

    private void Report(AnnounceOutcome outcome)
    {
        if (Interlocked.Increment(ref _outcomesQueued) > MaxOutcomesQueued)
        {
            _ = Interlocked.Decrement(ref _outcomesQueued);
            _ = Interlocked.Increment(ref _outcomesDropped);
            return;
        }
        _outcomes.Enqueue(outcome);
    }

    public static string ReasonToken(DecisionReason reason) => reason switch
    {
        DecisionReason.TermLevel => "term-level",
        DecisionReason.KillLevel => "kill-level",
        DecisionReason.PsiFullStall => "psi-full-stall",
        DecisionReason.PsiSomeStall => "psi-some-stall",
        DecisionReason.Thrash => "thrash",
        DecisionReason.GraceExpired => "grace-expired",
        DecisionReason.KillLevelDuringGrace => "kill-level-during-grace",
        _ => "other",
    };

    public static string CauseToken(SettleCause cause) => cause switch
    {
        SettleCause.Reaped => "reaped",
        SettleCause.ReapedShmemExit => "reaped-shmem-exit",
        SettleCause.Exited => "exited",
        SettleCause.StuckInMmput => "stuck-in-mmput",
        SettleCause.Timeout => "timeout",
        _ => "dry-run",
    };

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Text(uint value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>One child in flight (announcer thread only).</summary>
    private sealed class Running(SpawnedChild child, AnnounceWhat what, long startTicks, long deadlineMs, int victimPid, string victimName, string program, uint uid, string bus)
    {
        public SpawnedChild Child { get; } = child;
        public AnnounceWhat What { get; } = what;
        public long StartTicks { get; } = startTicks;
        public long DeadlineMs { get; } = deadlineMs;
        public int VictimPid { get; } = victimPid;
        public string VictimName { get; } = victimName;
        public string Program { get; } = program;
        public uint Uid { get; } = uid;
        public string Bus { get; } = bus;
        public bool TimedOut { get; set; }
    }
}
