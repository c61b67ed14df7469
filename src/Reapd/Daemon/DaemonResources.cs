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
    /// Whether the armed triggers watch every configured stall condition: each condition has a trigger that fires in
    /// every window of the condition's length that holds the condition's share. Its own trigger does (a some trigger
    /// for the some condition, the full trigger for the full one, the thrash trigger for the thrash condition), and for
    /// a full-stall condition so does the some trigger, since every moment of full stall is also one of some stall. A
    /// trigger the kernel refused, or widened past what still covers (<see cref="Covers"/>), leaves its condition to
    /// the others: when none covers it, every cycle reads PSI.
    /// </summary>
    public bool PsiTriggersCover(DaemonConfig config) =>
        Sensor.PressurePath is not null
        && (config.PsiFullPercent is not double full || Covers(PsiFull, full, config.PsiFullWindowMs) || Covers(PsiSome, full, config.PsiFullWindowMs))
        && (config.PsiSomePercent is not double some || Covers(PsiSome, some, config.PsiSomeWindowMs))
        && (config.ThrashFullPercent is not double thrash || Covers(PsiThrash, thrash, config.ThrashWindowMs) || Covers(PsiSome, thrash, config.ThrashWindowMs));

    private static bool Covers(PsiTrigger? trigger, double levelPercent, long windowMs) =>
        trigger is not null && Covers(trigger.ThresholdUs, trigger.WindowUs, levelPercent, windowMs * 1000);

    /// <summary>
    /// Whether a trigger of <paramref name="thresholdUs"/> stall in <paramref name="triggerWindowUs"/> fires in every
    /// window of <paramref name="windowUs"/> that holds <paramref name="levelPercent"/> % of stall. A trigger window
    /// that divides the condition's: one of the parts holds at least the share, so the threshold must be at most that
    /// share of the trigger's window. A trigger window at least as long as the condition's (the kernel widens a 1 s
    /// window to 2 s without CAP_SYS_RESOURCE): the trigger's window around the condition's holds all of its stall, so
    /// the threshold must be at most that stall. Any other window never covers.
    /// </summary>
    internal static bool Covers(long thresholdUs, long triggerWindowUs, double levelPercent, long windowUs) =>
        triggerWindowUs <= windowUs && windowUs % triggerWindowUs == 0
            ? thresholdUs * 100.0 <= levelPercent * triggerWindowUs
            : triggerWindowUs >= windowUs && thresholdUs * 100.0 <= levelPercent * windowUs;

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
