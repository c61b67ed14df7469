using Reapd.Core.Daemon;
using Reapd.Linux.Kill;
using Reapd.Linux.Proc;

namespace Reapd.Daemon;

/// <summary>
/// The daemon's reap job for the <see cref="ReaperThread"/>: the kill path's one reap orchestration
/// (<see cref="Reaper.Run"/>: retries, core dump, late sharers) through the victim's pidfd; or, when the victim itself
/// has exited and only its mm sharers hold its memory (it left during its SIGTERM grace), process_mrelease through the
/// pidfd of a live, SIGKILLed sharer, which reaches the same mm. From submission until the loop takes the completion,
/// only the reaper thread touches <see cref="Victim"/> and the reader; the loop then reads the figures kept here.
/// </summary>
internal sealed class VictimReapJob : IReapJob
{
    private readonly ProcessReader _reader;

    public VictimReapJob(Victim victim, ProcessReader reader, ScopeKill? scope = null)
    {
        Victim = victim;
        Scope = scope;
        Id = new VictimId(victim.Pid, victim.StartTimeTicks);
        _reader = reader;
    }

    public Victim Victim { get; }

    /// <summary>A wider kill scope's members, each with its own mm: reaped after the victim, one process_mrelease each.</summary>
    public ScopeKill? Scope { get; }

    public VictimId Id { get; }

    public int Attempts { get; private set; }

    /// <summary>Whether the victim's pidfd was readable when the reap answered.</summary>
    public bool ExitedWhenAnswered { get; private set; }

    /// <summary>
    /// The reap returned 0 while the victim's own exit was tearing its mm down (a second process_mrelease found no
    /// thread holding it): part of the memory may come back only when that exit runs on, so the settle waits for the
    /// exit, at most a short while (ReapObservation.ReleasedExitPending).
    /// </summary>
    public bool ExitUnmapping { get; private set; }

    /// <summary>The loop let the victim go while this job was in the kernel: the loop disposes it when it takes the completion.</summary>
    public bool Orphaned { get; set; }

    public ReapOutcome Run(CancellationToken stop)
    {
        ReapOutcome outcome;
        if (Victim.HasExited && FirstLiveSharer() is Sharer sharer)
        {
            outcome = PidFdSyscalls.Mrelease(sharer.PidFd);
            Attempts = 1;
        }
        else
        {
            ReapResult result = Reaper.Run(Victim, _reader, ReapSettings.Default, stop);
            outcome = result.Outcome;
            Attempts = result.Attempts;
            // A 0 means the reap's own share is freed, not the victim's whole memory: if the victim's exit had already
            // detached its mm and begun exit_mmap, the pages that exit unmapped beside the reap wait in its mmu_gather
            // until it runs again (docs/kernel.md C.9, item 1). A
            // second call answering ESRCH says no thread of the victim holds the mm any more: that exit is under way.
            ExitUnmapping = outcome == ReapOutcome.Reaped && !Victim.HasExited
                && PidFdSyscalls.Mrelease(Victim.PidFd) == ReapOutcome.AlreadyExiting;
        }
        // Each member's memory is the victim's too (the settle gate waits for it): reap it as soon as the victim's is.
        Scope?.ReapMembers();
        ExitedWhenAnswered = Victim.HasExited;
        return outcome;
    }

    private Sharer? FirstLiveSharer()
    {
        foreach (Sharer sharer in Victim.Sharers)
        {
            if (sharer.KillOutcome == SignalOutcome.Sent && !PidFdSyscalls.WaitForExit(sharer.PidFd, 0))
            {
                return sharer;
            }
        }
        return null;
    }
}
