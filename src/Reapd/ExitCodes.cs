using Reapd.CommandLine;

namespace Reapd;

/// <summary>
/// Every way the reapd executable can end. Each failure has its own code so scripts can tell them apart.
/// </summary>
internal static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>Something failed at run time after the input was accepted (a kill refused by the kernel, ...).</summary>
    public const int Failed = 1;
    /// <summary>Bad command line: unknown command or option, malformed value.</summary>
    public const int Usage = 2;
    /// <summary>reapd lacks a privilege it needs (root, CAP_KILL, CAP_SYS_PTRACE, ...).</summary>
    public const int NotPermitted = 3;
    /// <summary>The target does not exist (unknown PID, missing cgroup).</summary>
    public const int NotFound = 4;
    /// <summary>The target exists but reapd refuses to act on it (PID 1, a kernel thread, reapd itself, a reused PID).</summary>
    public const int Refused = 5;
    /// <summary>model-check: the verdicts differ from what kernel history says, or a run was inconclusive.</summary>
    public const int ModelMismatch = 7;
    /// <summary>replay: the file is not a readable recording (another file, another version, cut short, corrupt).</summary>
    public const int BadRecording = 8;
    /// <summary>replay: the replayed decisions differ from the recorded ones.</summary>
    public const int ReplayDiverged = 9;
    /// <summary>The configuration file has a mistake (EX_CONFIG of sysexits.h): check-config, and run, which starts nothing.</summary>
    public const int ConfigInvalid = 78;

    /// <summary>The codes a user can meet, as the man page and README list them.</summary>
    public static IReadOnlyList<ManEntry> Documented { get; } =
    [
        new("0", "ok"),
        new("1", "failed at run time"),
        new("2", "bad command line"),
        new("3", "missing privilege"),
        new("4", "no such process or cgroup"),
        new("5", "refused (PID 1, kernel thread, reapd itself, reused PID, a sharer of its memory that is never killed)"),
        new("7", "model-check verdicts differ from kernel history"),
        new("8", "replay: not a readable recording"),
        new("9", "replay: the decisions differ from the recording"),
        new("78", "the configuration file has a mistake (check-config lists every one)"),
    ];
}
