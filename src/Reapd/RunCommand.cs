using System.Runtime.InteropServices;
using Reapd.Daemon;
using Reapd.Linux.Journal;
using Reapd.Linux.Systemd;

namespace Reapd;

/// <summary>
/// `reapd run` with its options parsed (<see cref="RunOptionsParser"/>): check privileges, open the sensors,
/// protect itself, then run the loop until SIGTERM or SIGINT.
/// </summary>
internal static class RunCommand
{
    public static int Run(RunOptions options, TextWriter stdout, TextWriter stderr)
    {
        string? missing = options.Config.DryRun ? null : Privileges.MissingToAct(new Reapd.Linux.Proc.ProcessReader());
        if (missing is not null)
        {
            stderr.WriteLine($"reapd run: not permitted: missing {missing} (run as root, or use --dry-run to watch without acting)");
            return ExitCodes.NotPermitted;
        }

        // Before the first thread of reapd's own (the event writer's, just below).
        bool oneArena = Reapd.Linux.Sensors.SelfProtection.ShareOneMallocArena();
        // Event lines leave through a writer thread, so a stalled stdout (journald under pressure, a full pipe) never
        // blocks the loop; disposing it (declared before the guard, so after it is disposed) drains for at most 1 s.
        bool realStdout = ReferenceEquals(stdout, Console.Out);
        using Stream? raw = realStdout ? Console.OpenStandardOutput() : null;
        int errno = 0;
        // When stdout is the journal, events go to its native socket as entries with REAPD_* fields; without that
        // socket, to stdout as before (one warning says so).
        bool journal = raw is not null && JournalStream.StdoutIsJournal();
        int socketErrno = 0;
        JournalSocket? socket = journal ? JournalSocket.TryConnect(JournalSocket.DefaultPath, out socketErrno) : null;
        using EventWriter? events = raw is null ? null : EventWriter.TryStart(raw, options.Json, journal, out errno, journalSocket: socket);
        if (raw is not null && events is null)
        {
            stderr.WriteLine($"reapd run: cannot create an eventfd for the event writer (errno {errno})");
            return ExitCodes.Failed;
        }
        EventLog log = events is null ? new EventLog(stdout, options.Json, journal: false) : new EventLog(events);
        if (!oneArena)
        {
            log.Begin("warning"u8, EventLog.Warning).Field("what"u8, "malloc"u8)
                .Field("detail"u8, "libc refused mallopt(M_ARENA_MAX, 1): each thread may keep a malloc arena of its own (a few resident KiB each)"u8).End();
        }
        if (journal && socket is null)
        {
            log.Begin("warning"u8, EventLog.Warning).Field("what"u8, "journal"u8).Field("errno"u8, socketErrno)
                .Field("detail"u8, $"cannot connect to {JournalSocket.DefaultPath}: events go to stdout as lines, without REAPD_ fields").End();
        }
        // The service manager's socket (Type=notify), opened now, before the warm-up and mlockall; none when reapd was
        // not started by one. A socket that cannot be used is a warning, never a reason not to guard.
        SystemdNotifier? notifier = SystemdNotifier.FromEnvironment(out string? notifyProblem);
        if (notifyProblem is not null)
        {
            log.Begin("warning"u8, EventLog.Warning).Field("what"u8, "notify").Field("detail"u8, notifyProblem).End();
        }
        using DaemonLoop? guard = DaemonLoop.TryCreate(options, log, out string? error, out int exitCode, notifier);
        if (guard is null)
        {
            stderr.WriteLine($"reapd run: {error}");
            return exitCode;
        }
        // The metrics file is written once and the listener bound before anything else starts, so a path or address
        // reapd cannot use is one line; their threads start after the priority is raised, and lower their own.
        using Metrics.MetricsFile? metricsFile = options.MetricsFile is null ? null : Metrics.MetricsFile.TryCreate(guard.Metrics, options.MetricsFile, out error);
        if (options.MetricsFile is not null && metricsFile is null)
        {
            stderr.WriteLine($"reapd run: {error}");
            return ExitCodes.Failed;
        }
        using Metrics.MetricsListener? listener = options.MetricsListen is null ? null : Metrics.MetricsListener.TryCreate(guard.Metrics, options.MetricsListen, out error);
        if (options.MetricsListen is not null && listener is null)
        {
            stderr.WriteLine($"reapd run: {error}");
            return ExitCodes.Failed;
        }
        guard.MetricsFile = metricsFile;
        guard.MetricsListen = listener is null ? null : Metrics.MetricsListener.Format(listener.Endpoint);
        using PosixSignalRegistration term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            guard.RequestStop("SIGTERM");
        });
        using PosixSignalRegistration interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, context =>
        {
            context.Cancel = true;
            guard.RequestStop("SIGINT");
        });
        // SIGHUP (systemctl reload runs `kill -HUP $MAINPID`): read the configuration again, between two cycles.
        using PosixSignalRegistration hangup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true;
            guard.RequestReload();
        });
        guard.Start(protectSelf: true);
        metricsFile?.Start();
        listener?.Start();
        return guard.Loop();
    }
}
