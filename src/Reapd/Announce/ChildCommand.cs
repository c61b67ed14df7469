using System.Globalization;
using Reapd.Linux.Spawn;

namespace Reapd.Announce;

/// <summary>
/// The two trampolines: reapd's own executable, started by <see cref="KillAnnouncer"/> with a verb no user types,
/// does one thing in a fresh process and ends. They exist because the daemon itself cannot safely run code between
/// fork and exec (a multithreaded .NET process), yet a hook must not inherit the daemon's oom_score_adj -900 and nice
/// -20, and a notifier must hold the user's uid when it connects (the bus authenticates the socket's peer).
/// <list type="bullet">
/// <item><c>reapd internal-hook PROGRAM</c>: oom_score_adj 0, nice 0, then execve(PROGRAM) with the environment it was given.</item>
/// <item><c>reapd internal-notify UID GID SOCKET SUMMARY BODY</c>: oom_score_adj 0, nice 0, becomes UID:GID for good
/// (no groups, no capabilities), connects to the session bus at SOCKET and calls
/// org.freedesktop.Notifications.Notify; its exit code says how that went.</item>
/// </list>
/// </summary>
internal static class ChildCommand
{
    public const string HookVerb = "internal-hook";
    public const string NotifyVerb = "internal-notify";

    /// <summary>Like a shell's 127: the hook program could not be executed.</summary>
    public const int ExecFailedExitCode = 127;
    public const int NotifySentExitCode = 0;
    public const int NoNotificationServerExitCode = 10;
    public const int BusUnreachableExitCode = 11;
    public const int CannotBecomeUserExitCode = 12;
    public const int NotifyFailedExitCode = 13;

    public static bool IsChildCommand(string[] args) => args.Length > 0 && args[0] is HookVerb or NotifyVerb;

    public static int Run(string[] args, TextWriter stderr)
    {
        string reset = ChildSetup.ResetOomScoreAdjAndNice();
        if (reset.Length > 0)
        {
            stderr.WriteLine($"reapd {args[0]}: could not reset {reset.TrimEnd(' ', ';')}");
        }
        return args switch
        {
            [HookVerb, string program] => Hook(program, stderr),
            [NotifyVerb, string uid, string gid, string socket, string summary, string body] => Notify(uid, gid, socket, summary, body, stderr),
            _ => Usage(args, stderr),
        };
    }

    private static int Hook(string program, TextWriter stderr)
    {
        int errno = ChildSetup.Exec(program, [program]);
        stderr.WriteLine($"reapd hook: cannot execute {program}: errno {errno}");
        return ExecFailedExitCode;
    }

    private static int Notify(string uidText, string gidText, string socket, string summary, string body, TextWriter stderr)
    {
        if (!uint.TryParse(uidText, NumberStyles.None, CultureInfo.InvariantCulture, out uint uid)
            || !uint.TryParse(gidText, NumberStyles.None, CultureInfo.InvariantCulture, out uint gid))
        {
            return Usage([NotifyVerb, uidText, gidText], stderr);
        }
        if (ChildSetup.DropToUser(uid, gid) is string failed)
        {
            stderr.WriteLine($"reapd notify: cannot become uid {uid}: {failed}");
            return CannotBecomeUserExitCode;
        }
        return DesktopNotification.Send("unix:path=" + socket, summary, body, stderr);
    }

    private static int Usage(string[] args, TextWriter stderr)
    {
        stderr.WriteLine($"reapd {args[0]}: internal command started by reapd run, with wrong arguments");
        return ExitCodes.Usage;
    }

    /// <summary>The notifier's exit, as the result and detail of its `notify` event line.</summary>
    public static (string Result, string Detail) DescribeNotifyExit(ChildExit exit) => exit switch
    {
        { Kind: ChildExitKind.Exited, Code: NotifySentExitCode } => ("sent", "org.freedesktop.Notifications.Notify answered"),
        { Kind: ChildExitKind.Exited, Code: NoNotificationServerExitCode } => ("no-server", "nobody on this session bus owns org.freedesktop.Notifications"),
        { Kind: ChildExitKind.Exited, Code: BusUnreachableExitCode } => ("failed", "cannot connect to or authenticate on the session bus"),
        { Kind: ChildExitKind.Exited, Code: CannotBecomeUserExitCode } => ("failed", "cannot become the session's user (reapd needs CAP_SETUID and CAP_SETGID)"),
        { Kind: ChildExitKind.Exited, Code: NotifyFailedExitCode } => ("failed", "the Notify call returned an error"),
        _ => ("failed", exit.ToString()),
    };
}
