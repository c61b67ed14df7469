namespace Reapd.Linux.Kill;

/// <summary>
/// One process a wider kill scope reaches besides the victim (and its mm sharers): held by a pidfd opened before its
/// start time was checked against the scan, as the victim is. Owns its pidfd.
/// </summary>
public sealed class ScopeMember : IDisposable
{
    internal ScopeMember(int pid, ulong startTimeTicks, PidFdHandle pidfd)
    {
        Pid = pid;
        StartTimeTicks = startTimeTicks;
        PidFd = pidfd;
    }

    public int Pid { get; }

    public ulong StartTimeTicks { get; }

    public PidFdHandle PidFd { get; }

    /// <summary>The outcome of its SIGKILL, once sent (or null when the scope was refused before any signal).</summary>
    public SignalOutcome? KillOutcome { get; internal set; }

    /// <summary>process_mrelease's answer for it, once the reaper thread asked.</summary>
    public ReapOutcome? ReapOutcome { get; internal set; }

    /// <summary>SIGKILLed and its pidfd not readable yet: it still holds memory.</summary>
    public bool IsLive => KillOutcome == SignalOutcome.Sent && !PidFdSyscalls.WaitForExit(PidFd, 0);

    public void Dispose() => PidFd.Dispose();
}
