namespace Reapd.Core.Policy;

/// <summary>
/// What rules look at for one process, as views of the scanner's reused buffers (valid until its next read). An
/// attribute that was not read or could not be read (a process of another user without ptrace access to exe, one
/// that exited mid-read) is absent, and a criterion on an absent attribute does not match.
/// </summary>
public readonly ref struct ProcessFacts
{
    /// <summary>/proc/PID/comm (as /proc/PID/stat prints it), raw bytes.</summary>
    public ReadOnlySpan<byte> Comm { get; init; }

    /// <summary>The arguments joined by single spaces (at most the first <see cref="MaxCmdlineBytes"/> bytes).</summary>
    public ReadOnlySpan<char> Cmdline { get; init; }

    public bool HasCmdline { get; init; }

    /// <summary>The executable's path as readlink shows it (" (deleted)" appended when the file was replaced).</summary>
    public ReadOnlySpan<char> Exe { get; init; }

    public bool HasExe { get; init; }

    /// <summary>The v1 memory controller's path when the process has one, else the cgroup v2 path.</summary>
    public ReadOnlySpan<char> Cgroup { get; init; }

    public bool HasCgroup { get; init; }

    /// <summary>The real uid (status "Uid:" first field).</summary>
    public uint Uid { get; init; }

    public bool HasUid { get; init; }

    /// <summary>
    /// How much of a command line the scanner reads: enough for any program name and the options that tell a
    /// browser's processes apart, small enough that a process with megabytes of arguments costs the scan nothing extra.
    /// </summary>
    public const int MaxCmdlineBytes = 4096;
}
