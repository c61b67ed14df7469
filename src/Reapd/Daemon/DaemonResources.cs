using Reapd.Core.Daemon;
using Reapd.Linux.Proc;
using Reapd.Linux.Sensors;

namespace Reapd.Daemon;

/// <summary>
/// Everything `reapd run` opens before its loop starts, and owns until it stops: the sensors (the machine's, and the
/// guarded cgroup's when there is one), cgroup v1 notifications, the PSI triggers and the stop eventfd. Opening is
/// all or nothing: on failure what was opened is closed again and one line says what failed.
/// </summary>
internal sealed class DaemonResources : IDisposable
{
    private bool _disposed;

    private DaemonResources(SystemMemorySensor system, IMemorySensor sensor, CgroupTarget? cgroup,
        CgroupV1Notifications? v1Notifications, CgroupEventsWatch? v2Events, PsiTrigger? psiSome, PsiTrigger? psiFull, EventFdHandle stopEvent)
    {
        V2Events = v2Events;
        System = system;
        Sensor = sensor;
        Cgroup = cgroup;
        V1Notifications = v1Notifications;
        PsiSome = psiSome;
        PsiFull = psiFull;
        StopEvent = stopEvent;
    }

    public SystemMemorySensor System { get; }

    /// <summary>The guarded scope's sensor: <see cref="System"/> itself, or the cgroup's.</summary>
    public IMemorySensor Sensor { get; }

    public CgroupTarget? Cgroup { get; }

    public CgroupV1Notifications? V1Notifications { get; }

    /// <summary>The guarded v2 cgroup's memory.events (hierarchical: its descendants' events too), polled for changes.</summary>
    public CgroupEventsWatch? V2Events { get; }

    public PsiTrigger? PsiSome { get; }

    public PsiTrigger? PsiFull { get; }

    /// <summary>The thrash condition's trigger: a wake-up the moment its short window's full stall reaches the level.</summary>
    public PsiTrigger? PsiThrash { get; private init; }

    /// <summary>The scope's refault counter for the thrash condition (null where it is off or the file has none).</summary>
    public RefaultReader? Refaults { get; private init; }

    public EventFdHandle StopEvent { get; }

    /// <summary>
    /// Opens everything. On failure returns null with one line and the exit code (NotFound for a missing cgroup,
    /// Failed for anything the kernel refused).
    /// </summary>
    public static DaemonResources? TryOpen(RunOptions options, EventLog log, out string? error, out int exitCode)
    {
        error = null;
        exitCode = ExitCodes.Ok;
        if (SystemMemorySensor.TryOpen(out SystemMemorySensor? system) != ProcReadOutcome.Ok)
        {
            error = "cannot read /proc/meminfo";
            exitCode = ExitCodes.Failed;
            return null;
        }
        CgroupTarget? cgroup = null;
        system!.ZramAware = options.Config.ZramAware;
        IMemorySensor sensor = system;
        CgroupV1Notifications? notifications = null;
        CgroupEventsWatch? v2Events = null;
        if (options.CgroupPath is not null)
        {
            cgroup = CgroupLocator.Resolve(options.CgroupPath, out error);
            if (cgroup is null)
            {
                system!.Dispose();
                exitCode = ExitCodes.NotFound;
                return null;
            }
            ProcReadOutcome opened;
            if (cgroup.Version == CgroupVersion.V1)
            {
                opened = CgroupV1MemorySensor.TryOpen(cgroup.Directory, system, out CgroupV1MemorySensor? v1);
                sensor = v1!;
                if (opened == ProcReadOutcome.Ok)
                {
                    notifications = CgroupV1Notifications.Register(cgroup.Directory, out string? problems);
                    if (problems is not null)
                    {
                        log.Begin("warning"u8, EventLog.Warning).Field("what"u8, "cgroup v1 notifications").Field("detail"u8, problems).End();
                    }
                }
            }
            else
            {
                opened = CgroupV2MemorySensor.TryOpen(cgroup.Directory, system, out CgroupV2MemorySensor? v2);
                sensor = v2!;
                if (opened == ProcReadOutcome.Ok)
                {
                    // A wake-up when the group (or a descendant) hits memory.high or memory.max, or the kernel OOM-kills in it.
                    ProcReadOutcome events = CgroupEventsWatch.TryOpen(Path.Combine(cgroup.Directory, "memory.events"), out v2Events);
                    if (events != ProcReadOutcome.Ok)
                    {
                        log.Begin("warning"u8, EventLog.Warning).Field("what"u8, "cgroup v2 memory.events").Field("result"u8, events.ToString()).End();
                    }
                }
            }
            if (opened != ProcReadOutcome.Ok)
            {
                system!.Dispose();
                error = $"cannot open the memory files of cgroup {cgroup.Directory}: {opened}";
                exitCode = ExitCodes.Failed;
                return null;
            }
        }

        PsiTrigger? some = null, full = null, thrash = null;
        RefaultReader? refaults = null;
        if (sensor.PressurePath is string pressurePath)
        {
            if (options.Config.ThrashFullPercent is double thrashPercent)
            {
                // The kernel wakes the poller as soon as the window's full stall passes the level, not a sample later.
                long windowUs = options.Config.ThrashWindowMs * 1000;
                ArmPsi(log, pressurePath, PsiStallKind.Full, (long)(windowUs * thrashPercent / 100), windowUs, out thrash);
                string refaultPath = sensor is CgroupV2MemorySensor v2Sensor ? Path.Combine(v2Sensor.Directory, "memory.stat") : "/proc/vmstat";
                refaults = RefaultReader.TryOpen(refaultPath);
                if (refaults is null)
                {
                    log.Begin("warning"u8, EventLog.Warning).Field("what"u8, "refault counter").Field("path"u8, refaultPath)
                        .Field("detail"u8, "unreadable or without workingset_refault counters: the thrash condition goes by the stall alone only if its refault rate is 0").End();
                }
            }
            // An early wake-up: 10 % of a 1 s window stalled (2 s and 20 % of it where the kernel wants 2 s multiples).
            // With a some-stall condition below 10 %, at the condition's share, so that the trigger watches it too and
            // quiet wake-ups need not read the pressure file (SampleSource.PsiTriggersCover).
            double someSharePercent = Math.Min(EarlySomeSharePercent, options.Config.PsiSomePercent ?? EarlySomeSharePercent);
            ArmPsi(log, pressurePath, PsiStallKind.Some, (long)(1_000_000 * someSharePercent / 100), 1_000_000, out some);
            if (options.Config.PsiFullPercent is double fullPercent)
            {
                long windowUs = options.Config.PsiFullWindowMs * 1000;
                ArmPsi(log, pressurePath, PsiStallKind.Full, (long)(windowUs * fullPercent / 100), windowUs, out full);
            }
        }

        EventFdHandle? stop = EventFdHandle.Create(out int errno);
        if (stop is null)
        {
            var partial = new DaemonResources(system!, sensor, cgroup, notifications, v2Events, some, full, null!) { PsiThrash = thrash, Refaults = refaults };
            partial.Dispose();
            error = $"cannot create an eventfd (errno {errno})";
            exitCode = ExitCodes.Failed;
            return null;
        }
        return new DaemonResources(system!, sensor, cgroup, notifications, v2Events, some, full, stop) { PsiThrash = thrash, Refaults = refaults };
    }

    private static void ArmPsi(EventLog log, string path, PsiStallKind kind, long thresholdUs, long windowUs, out PsiTrigger? trigger)
    {
        PsiTriggerOutcome outcome = PsiTrigger.TryArm(path, kind, thresholdUs, windowUs, out trigger, out int errno);
        if (outcome != PsiTriggerOutcome.Armed)
        {
            log.Begin("warning"u8, EventLog.Warning).Field("what"u8, kind == PsiStallKind.Some ? "psi some trigger" : "psi full trigger")
                .Field("result"u8, outcome.ToString()).Field("errno"u8, errno).Field("path"u8, path).End();
        }
    }

    /// <summary>The share of its window the early-wake some trigger is armed at (lower only for a some condition below it).</summary>
    public const double EarlySomeSharePercent = 10;

    /// <summary>
    /// What the armed triggers leave a quiet wake-up free to skip in this scope (<see cref="CoverFor"/>):
    /// <see cref="PsiCover.Always"/> when they watch every configured stall condition (a thrash condition that can never
    /// hold, <see cref="ThrashReach.Never"/>, counted as watched); <see cref="PsiCover.WithoutSwap"/> when they watch
    /// every one but the thrash condition, which holds only while swap is in use (<see cref="ThrashSwapRule"/>) — the
    /// system scope only: the swap figures the rule reads are then the machine's own, which a cgroup's are not (and a
    /// cgroup's sensor has no cheap reading for a quiet wake-up today); else, and without PSI, <see cref="PsiCover.Never"/>.
    /// </summary>
    public PsiCover PsiCoverOf(DaemonConfig config)
    {
        if (Sensor.PressurePath is null)
        {
            return PsiCover.Never;
        }
        PsiCover cover = CoverFor(config, ThrashReachOf(config), Shape(PsiSome), Shape(PsiFull), Shape(PsiThrash));
        return cover == PsiCover.WithoutSwap && Cgroup is not null ? PsiCover.Never : cover;
    }

    /// <summary>When the thrash condition can hold, by its refault setting and the refault counter that was opened.</summary>
    public ThrashReach ThrashReachOf(DaemonConfig config) =>
        ThrashSwapRule.Reach(config.ThrashRefaultsPerSecond, Refaults is not null, Refaults?.CountsAnonymousRefaults == true);

    /// <summary>When triggers leave a quiet wake-up free to skip the pressure file.</summary>
    internal enum PsiCover
    {
        /// <summary>A condition that can hold has no trigger that covers it: every cycle reads the file.</summary>
        Never,

        /// <summary>Every condition but the thrash condition is covered, and that one needs swap in use.</summary>
        WithoutSwap,

        /// <summary>Every condition that can hold is covered.</summary>
        Always,
    }

    /// <summary>
    /// <see cref="TriggersCover"/> with the thrash condition's reach: one that can never hold needs no trigger, and
    /// one that needs swap in use needs none on a cycle that sees no swap in use (<see cref="ThrashSwapRule"/>).
    /// </summary>
    internal static PsiCover CoverFor(DaemonConfig config, ThrashReach thrashReach, (long ThresholdUs, long WindowUs)? some,
        (long ThresholdUs, long WindowUs)? full, (long ThresholdUs, long WindowUs)? thrash)
    {
        if (TriggersCover(config, some, full, thrash))
        {
            return PsiCover.Always;
        }
        if (config.ThrashFullPercent is null || thrashReach == ThrashReach.Anytime
            || !TriggersCover(config with { ThrashFullPercent = null }, some, full, null))
        {
            return PsiCover.Never;
        }
        return thrashReach == ThrashReach.Never ? PsiCover.Always : PsiCover.WithoutSwap;
    }

    private static (long ThresholdUs, long WindowUs)? Shape(PsiTrigger? trigger) =>
        trigger is null ? null : (trigger.ThresholdUs, trigger.WindowUs);

    /// <summary>
    /// Whether every configured stall condition has a trigger that fires in every window of the condition's length
    /// that holds the condition's share (<see cref="Covers"/>). Its own trigger may (the some trigger for the some
    /// condition, the full trigger for the full-stall one, the thrash trigger for the thrash condition), and for the
    /// full-stall and thrash conditions so may the early some trigger, since every moment of full stall is also one of
    /// some stall: with the defaults it is the some trigger that covers them, with a margin their own triggers, armed
    /// at the condition's share to wake reapd the moment it is reached, do not have. A condition nothing covers (a
    /// trigger refused, or widened by the kernel to a window longer than the condition's) makes every cycle read PSI.
    /// </summary>
    internal static bool TriggersCover(DaemonConfig config, (long ThresholdUs, long WindowUs)? some,
        (long ThresholdUs, long WindowUs)? full, (long ThresholdUs, long WindowUs)? thrash)
    {
        bool By((long ThresholdUs, long WindowUs)? trigger, double levelPercent, long windowMs) =>
            trigger is { } t && Covers(t.ThresholdUs, t.WindowUs, levelPercent, windowMs * 1000);
        return (config.PsiFullPercent is not double fullPercent || By(full, fullPercent, config.PsiFullWindowMs) || By(some, fullPercent, config.PsiFullWindowMs))
            && (config.PsiSomePercent is not double somePercent || By(some, somePercent, config.PsiSomeWindowMs))
            && (config.ThrashFullPercent is not double thrashPercent || By(thrash, thrashPercent, config.ThrashWindowMs) || By(some, thrashPercent, config.ThrashWindowMs));
    }

    /// <summary>
    /// Whether a trigger of <paramref name="thresholdUs"/> stall in <paramref name="triggerWindowUs"/> fires in every
    /// window of <paramref name="windowUs"/> that holds <paramref name="levelPercent"/> % of stall. The kernel's
    /// trigger windows do not slide: a new one starts when the last has passed, and the growth it checks is the new
    /// window's plus a share of the last one's (kernel/sched/psi.c, window_update). A condition's window not aligned with
    /// them spans up to ceil(window / trigger window) + 1 of them, and its stall may be split evenly among them, so
    /// the threshold must be at most the condition's stall divided by that count. A trigger window longer than the
    /// condition's never covers it here (the window around it may hold nothing else, and the kernel checks such a
    /// trigger only every 2 s).
    /// </summary>
    internal static bool Covers(long thresholdUs, long triggerWindowUs, double levelPercent, long windowUs)
    {
        if (triggerWindowUs <= 0 || triggerWindowUs > windowUs)
        {
            return false;
        }
        long pieces = ((windowUs + triggerWindowUs - 1) / triggerWindowUs) + 1;
        return thresholdUs * pieces * 100.0 <= levelPercent * windowUs;
    }

    /// <summary>The armed PSI triggers, for the start event.</summary>
    public string DescribePsiTriggers()
    {
        string armed = string.Join(", ", new[] { PsiSome, PsiFull, PsiThrash }.Where(t => t is not null));
        return armed.Length == 0 ? "none" : armed;
    }

    /// <summary>The cgroup notifications (v1 eventfds or the v2 memory.events watch), for the start event.</summary>
    public string DescribeCgroupEvents() => V1Notifications is null
        ? (V2Events is null ? "none" : "memory.events (poll)")
        : $"vmpressure {(V1Notifications.Pressure is null ? "failed" : CgroupV1Notifications.PressureLevelArgument)}, oom {(V1Notifications.Oom is null ? "failed" : "armed")}";

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        StopEvent?.Dispose();
        PsiSome?.Dispose();
        PsiFull?.Dispose();
        PsiThrash?.Dispose();
        Refaults?.Dispose();
        V1Notifications?.Dispose();
        V2Events?.Dispose();
        if (!ReferenceEquals(Sensor, System))
        {
            Sensor.Dispose();
        }
        System.Dispose();
    }
}
