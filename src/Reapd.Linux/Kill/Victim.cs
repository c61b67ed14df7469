using System.Diagnostics;
using Reapd.Core.Proc;
using Reapd.Linux.Proc;

namespace Reapd.Linux.Kill;

/// <summary>
/// The victim record (DESIGN.md): a process chosen by pid and start time, held by a pidfd that was opened BEFORE its
/// identity was confirmed, so every later step (signals, reap, exit wait) reaches exactly that process even if its
/// number is reused. Each step is one non-blocking call returning an outcome value, so the daemon drives them from
/// its own event loop (it owns the grace timing and polls <see cref="PidFdNumber"/>); <see cref="KillProtocol.Run"/>
/// is the blocking composition used by `reapd kill`. See docs/kill-protocol.md. Not thread-safe.
/// </summary>
public sealed class Victim : IDisposable
{
    private readonly List<Sharer> _sharers = [];

    private Victim(int pid, ulong startTimeTicks, PidFdHandle pidfd)
    {
        Pid = pid;
        StartTimeTicks = startTimeTicks;
        PidFd = pidfd;
    }

    public int Pid { get; }

    public ulong StartTimeTicks { get; }

    /// <summary>Owned by this victim; closed by Dispose.</summary>
    public PidFdHandle PidFd { get; }

    /// <summary>The pidfd's number, for the caller's poll set (POLLIN = the thread group has exited).</summary>
    public int PidFdNumber => PidFd.FdNumber;

    public IReadOnlyList<Sharer> Sharers => _sharers;

    /// <summary>Stopwatch timestamp of the SIGTERM, 0 if none was sent.</summary>
    public long TermSentTimestamp { get; private set; }

    /// <summary>Stopwatch timestamp right after SIGKILL reached the victim, 0 if none was sent.</summary>
    public long KillSentTimestamp { get; private set; }

    /// <summary>process_mrelease calls made by the last <see cref="Reap"/>.</summary>
    public int ReapAttempts { get; private set; }

    /// <summary>
    /// Step 1. Opens the pidfd first, then re-reads /proc/PID/stat and compares its start time (field 22) with the
    /// sampled one (kernel.md C.1). PID 1, kernel threads and <paramref name="selfPid"/> are refused. On any outcome
    /// but Confirmed nothing was signalled and no handle is left open.
    /// </summary>
    public static VictimOpenOutcome TryOpen(int pid, ulong sampledStartTimeTicks, ProcessReader reader, out Victim? victim, int selfPid)
    {
        victim = null;
        if (pid == 1)
        {
            return VictimOpenOutcome.RefusedInit;
        }
        if (pid == selfPid)
        {
            return VictimOpenOutcome.RefusedSelf;
        }
        PidFdOpenOutcome opened = PidFdSyscalls.Open(pid, out PidFdHandle? pidfd);
        switch (opened)
        {
            case PidFdOpenOutcome.Opened:
                break;
            case PidFdOpenOutcome.NoSuchProcess:
                return VictimOpenOutcome.Gone;
            case PidFdOpenOutcome.NotAProcess:
                return VictimOpenOutcome.NotAProcess;
            case PidFdOpenOutcome.NotSupported:
                return VictimOpenOutcome.NotSupported;
            default:
                return VictimOpenOutcome.Failed;
        }
        // The pidfd now pins whatever process had the number at open time. If the stat read below shows the sampled
        // start time, that process is the sampled one; if the number was reused before or after the open, the start
        // time differs (or the file is gone) and the kill is refused.
        ProcReadOutcome read = reader.TryReadStat(pid, out ProcStat stat);
        VictimOpenOutcome outcome = read switch
        {
            ProcReadOutcome.Ok when stat.IsKernelThread => VictimOpenOutcome.RefusedKernelThread,
            ProcReadOutcome.Ok when stat.StartTimeTicks != sampledStartTimeTicks => VictimOpenOutcome.PidReused,
            ProcReadOutcome.Ok => VictimOpenOutcome.Confirmed,
            ProcReadOutcome.Gone => VictimOpenOutcome.Gone,
            ProcReadOutcome.Denied => VictimOpenOutcome.NotPermitted,
            _ => VictimOpenOutcome.Failed,
        };
        if (outcome == VictimOpenOutcome.Confirmed)
        {
            victim = new Victim(pid, stat.StartTimeTicks, pidfd!);
        }
        else
        {
            pidfd!.Dispose();
        }
        return outcome;
    }

    /// <summary>
    /// Step 2. Finds the processes sharing the victim's mm and opens a pidfd on each. Cheap filter first: processes
    /// sharing one mm report the same virtual size (stat field 23, from the shared mm), so kcmp(KCMP_VM) is only
    /// asked about those. <paramref name="exhaustive"/> asks kcmp about every user process instead, for when the
    /// reap was refused with EINVAL after SIGKILL (a sharer whose size changed between the two reads). A sharer's
    /// start time is read before its pidfd is opened and again after kcmp, so a reused number is never taken.
    /// Returns the outcome; <paramref name="found"/> counts the sharers added by this call.
    /// </summary>
    public SharerSearchOutcome FindSharers(ProcessReader reader, out int found, bool exhaustive = false)
    {
        found = 0;
        if (reader.TryReadStat(Pid, out ProcStat self) != ProcReadOutcome.Ok || self.StartTimeTicks != StartTimeTicks)
        {
            return SharerSearchOutcome.VictimGone;
        }
        SharerSearchOutcome outcome = SharerSearchOutcome.Completed;
        var directory = new PidDirectory(reader.RootBytes, 1024);
        foreach (int pid in directory.List())
        {
            if (pid == Pid || IsSharer(pid))
            {
                continue;
            }
            if (reader.TryReadStat(pid, out ProcStat other) != ProcReadOutcome.Ok || other.IsKernelThread || other.VsizeBytes == 0)
            {
                continue;
            }
            if (!exhaustive && other.VsizeBytes != self.VsizeBytes)
            {
                continue;
            }
            if (PidFdSyscalls.Open(pid, out PidFdHandle? pidfd) != PidFdOpenOutcome.Opened)
            {
                continue;
            }
            int same = Interop.kcmp(Pid, pid, Interop.KCMP_VM);
            Interop.Errno errno = same < 0 ? Interop.LastErrno : 0;
            bool keep = same == 0
                && reader.TryReadStat(pid, out ProcStat again) == ProcReadOutcome.Ok
                && again.StartTimeTicks == other.StartTimeTicks;
            if (keep)
            {
                _sharers.Add(new Sharer(pid, other.StartTimeTicks, pidfd!));
                found++;
                continue;
            }
            pidfd!.Dispose();
            if (errno == Interop.Errno.ENOSYS)
            {
                return SharerSearchOutcome.KcmpUnavailable;
            }
            if (errno == Interop.Errno.EPERM)
            {
                outcome = SharerSearchOutcome.KcmpNotPermitted;
            }
        }
        return outcome;
    }

    /// <summary>Step 3 (optional). SIGTERM through the pidfd, to the victim only; the caller times the grace period.</summary>
    public SignalOutcome Terminate()
    {
        SignalOutcome outcome = PidFdSyscalls.SendSignal(PidFd, Interop.SIGTERM);
        if (outcome == SignalOutcome.Sent)
        {
            TermSentTimestamp = Stopwatch.GetTimestamp();
        }
        return outcome;
    }

    /// <summary>
    /// Step 4. SIGKILL through the pidfds: every sharer not killed yet, then the victim. The kernel marks the whole
    /// thread group as exiting (SIGNAL_GROUP_EXIT) while sending, so the reap may follow at once. Returns the
    /// victim's outcome; each sharer keeps its own.
    /// </summary>
    public SignalOutcome Kill()
    {
        // Sharers first, the victim last: the reap should follow the victim's SIGKILL with nothing in between, before
        // the victim reaches exit_mm (after that process_mrelease can only answer ESRCH, kernel.md D.2).
        KillSharers();
        SignalOutcome outcome = PidFdSyscalls.SendSignal(PidFd, Interop.SIGKILL);
        if (outcome == SignalOutcome.Sent && KillSentTimestamp == 0)
        {
            KillSentTimestamp = Stopwatch.GetTimestamp();
        }
        return outcome;
    }

    /// <summary>SIGKILL to the sharers not signalled yet (e.g. found by an exhaustive search after the reap was refused).</summary>
    public void KillSharers()
    {
        foreach (Sharer sharer in _sharers)
        {
            sharer.KillOutcome ??= PidFdSyscalls.SendSignal(sharer.PidFd, Interop.SIGKILL);
        }
    }

    /// <summary>Step 5, one attempt: process_mrelease on the victim's pidfd (only meaningful right after SIGKILL).</summary>
    public ReapOutcome TryReap() => PidFdSyscalls.Mrelease(PidFd);

    /// <summary>
    /// Step 5 with bounded retries, as the kernel's oom_reaper does (MAX_OOM_REAP_RETRIES 10, HZ/10 apart): EAGAIN
    /// waits <paramref name="retryDelayMs"/> and retries; EINTR retries at once. Runs synchronously for as long as the
    /// kernel takes to unmap (about 40-75 ms per GiB here, kernel.md C.3): call it on a reaper thread or inline.
    /// </summary>
    public ReapOutcome Reap(int maxAttempts = 10, int retryDelayMs = 100)
    {
        ReapOutcome outcome = ReapOutcome.NotAttempted;
        ReapAttempts = 0;
        while (ReapAttempts < Math.Max(1, maxAttempts))
        {
            ReapAttempts++;
            outcome = TryReap();
            if (outcome == ReapOutcome.Busy)
            {
                Thread.Sleep(retryDelayMs);
            }
            else if (outcome != ReapOutcome.Interrupted)
            {
                break;
            }
        }
        return outcome;
    }

    /// <summary>Step 6: has the thread group exited (pidfd readable)? Does not wait.</summary>
    public bool HasExited => PidFdSyscalls.WaitForExit(PidFd, 0);

    /// <summary>Waits up to <paramref name="timeoutMs"/> for the pidfd to become readable.</summary>
    public bool WaitForExit(int timeoutMs) => PidFdSyscalls.WaitForExit(PidFd, timeoutMs);

    public void Dispose()
    {
        foreach (Sharer sharer in _sharers)
        {
            sharer.Dispose();
        }
        PidFd.Dispose();
    }

    private bool IsSharer(int pid)
    {
        foreach (Sharer sharer in _sharers)
        {
            if (sharer.Pid == pid)
            {
                return true;
            }
        }
        return false;
    }
}
