namespace Reapd.Linux.Kill;

/// <summary>Settings of one blocking run of the kill protocol (<see cref="KillProtocol.Run"/>).</summary>
public sealed record KillOptions
{
    /// <summary>SIGTERM first and SIGKILL after this many ms if the victim still lives; 0 = SIGKILL at once.</summary>
    public int GraceMs { get; init; }

    /// <summary>Call process_mrelease right after SIGKILL (false: only wait for the exit, for comparison).</summary>
    public bool Reap { get; init; } = true;

    /// <summary>How long to wait for the pidfd to become readable after SIGKILL.</summary>
    public int ExitWaitMs { get; init; } = 5000;

    /// <summary>process_mrelease attempts on EAGAIN (the kernel's oom_reaper uses 10).</summary>
    public int MaxReapAttempts { get; init; } = 10;

    /// <summary>Delay between attempts after EAGAIN (the kernel's oom_reaper uses HZ/10).</summary>
    public int ReapRetryDelayMs { get; init; } = 100;

    /// <summary>Rounds of "find more sharers, kill them, reap again" after EINVAL.</summary>
    public int MaxSharerRounds { get; init; } = 3;

    /// <summary>The pid that is never killed as reapd itself.</summary>
    public int SelfPid { get; init; } = Environment.ProcessId;

    /// <summary>Names (comm) never killed, as victim or as a sharer of the victim's mm.</summary>
    public Core.Selection.ProtectedNames? ProtectedNames { get; init; }

    /// <summary>Rules whose protect never lets a sharer of the victim's mm be killed (docs/rules.md).</summary>
    public Core.Policy.RuleSet? Rules { get; init; }

    public ReapSettings ReapSettings => new(MaxReapAttempts, ReapRetryDelayMs, MaxSharerRounds);
}
