using System.Runtime.InteropServices;
using Reapd.Daemon;

namespace Reapd;

/// <summary>
/// `reapd run`: parse the options (a bad one is one line and ExitCodes.Usage, nothing started), open the sensors,
/// protect itself, then run the loop until SIGTERM or SIGINT.
/// </summary>
internal static class RunCommand
{
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        RunOptions? options = RunOptionsParser.TryParse(args, out string? error);
        if (options is null)
        {
            stderr.WriteLine($"reapd run: {error}");
            return ExitCodes.Usage;
        }
        if (options.Help)
        {
            stdout.WriteLine(RunOptionsParser.Usage);
            return ExitCodes.Ok;
        }
        string? missing = options.Config.DryRun ? null : Privileges.MissingToAct(new Reapd.Linux.Proc.ProcessReader());
        if (missing is not null)
        {
            stderr.WriteLine($"reapd run: not permitted: missing {missing} (run as root, or use --dry-run to watch without acting)");
            return ExitCodes.NotPermitted;
        }

        bool realStdout = ReferenceEquals(stdout, Console.Out);
        using Stream? raw = realStdout ? Console.OpenStandardOutput() : null;
        var log = new EventLog(raw, realStdout ? null : stdout, options.Json, realStdout && JournalStream.StdoutIsJournal());
        using DaemonLoop? guard = DaemonLoop.TryCreate(options, log, out error, out int exitCode);
        if (guard is null)
        {
            stderr.WriteLine($"reapd run: {error}");
            return exitCode;
        }
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
        guard.Start(protectSelf: true);
        return guard.Loop();
    }
}
