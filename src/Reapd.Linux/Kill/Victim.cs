using System.Diagnostics;
using Reapd.Core.Policy;
using Reapd.Core.Proc;
using Reapd.Core.Selection;
using Reapd.Linux.Proc;

namespace Reapd.Linux.Kill;

/// <summary>
/// The victim record (DESIGN.md): a process chosen by pid and start time, held by a pidfd that was opened BEFORE its
/// identity was confirmed, so every later step (signals, reap, exit wait) reaches exactly that process even if its
/// number is reused. Each step is one call returning an outcome value, so the daemon drives them from its own event
/// loop (it owns the grace timing and polls <see cref="PidFdNumber"/>) and hands the reap to
/// <see cref="Reaper.Run"/>; <see cref="KillProtocol.Run"/> is the blocking composition used by `reapd kill`. See
/// docs/kill-protocol.md. Not thread-safe: one thread at a time owns it (while <see cref="Reaper.Run"/> runs, only
/// the thread that runs it touches the victim; another thread may only poll the pidfd's number).
/// </summary>
public sealed class Victim : IDisposable
{
    private readonly List<Sharer> _sharers = [];
    private readonly int _selfPid;
    private readonly ProtectedNames _protectedNames;
    private readonly RuleSet _rules;

    private Victim(int pid, ulong startTimeTicks, PidFdHandle pidfd, int selfPid, ProtectedNames protectedNames, RuleSet rules)
    {
        _rules = rules;
        Pid = pid;
        StartTimeTicks = startTimeTicks;
        PidFd = pidfd;
        _selfPid = selfPid;
        _protectedNames = protectedNames;
    }

    public int Pid { get; }

    public ulong StartTimeTicks { get; }

    /// <summary>Owned by this victim; closed by Dispose.</summary>
    public PidFdHandle PidFd { get; }

    /// <summary>The pidfd's number, for the caller's poll set (POLLIN = the thread group has exited); -1 once disposed.</summary>
    public int PidFdNumber => PidFd.FdNumber;

    public IReadOnlyList<Sharer> Sharers => _sharers;

    /// <summary>
    /// Set when the last <see cref="FindSharers"/> answered <see cref="SharerSearchOutcome.SharerExcluded"/>: the
    /// sharer that may never be killed, and why. Its mm cannot be reaped, so this victim must not be killed either.
    /// </summary>
    public (int Pid, ExclusionReason Reason)? ExcludedSharer { get; private set; }

    /// <summary>Stopwatch timestamp of the SIGTERM, 0 if none was sent.</summary>
    public long TermSentTimestamp { get; private set; }

    /// <summary>Stopwatch timestamp right after SIGKILL reached the victim, 0 if none was sent.</summary>
    public long KillSentTimestamp { get; private set; }

    /// <summary>
    /// Step 1. Opens the pidfd first, then re-reads /proc/PID/stat and compares its start time (field 22) with the
    /// sampled one (docs/kill-protocol.md, step 1). PID 1, kernel threads and <paramref name="selfPid"/> are refused.
    /// <paramref name="protectedNames"/> (and <paramref name="selfPid"/>) are what the sharer search excludes, as the
    /// scan does, and so are the processes a protect rule of <paramref name="rules"/> matches (an ignored one may die
    /// with the victim). On any outcome but Confirmed nothing was signalled and no handle is left open.
    /// </summary>
    public static VictimOpenOutcome TryOpen(int pid, ulong sampledStartTimeTicks, ProcessReader reader, out Victim? victim, int selfPid,
        ProtectedNames? protectedNames = null, RuleSet? rules = null)
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
            victim = new Victim(pid, stat.StartTimeTicks, pidfd!, selfPid, protectedNames ?? ProtectedNames.Empty, rules ?? RuleSet.Empty);
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
    /// reap was refused with EINVAL after SIGKILL (a sharer whose size changed between the two reads).
    /// kcmp takes numbers, not pidfds, so each answer counts only if, after it, both numbers still name the processes
    /// meant: the victim's pidfd still reaches a live thread group (pidfd_send_signal 0), the other's start time is
    /// unchanged, and both still hold an mm (two tasks without one compare equal). A sharer that the scan would exclude
    /// (PID 1, reapd itself, oom_score_adj -1000, a protected name or protect rule) stops the search with
    /// <see cref="SharerSearchOutcome.SharerExcluded"/> and <see cref="ExcludedSharer"/>: nothing may be signalled then.
    /// Returns the outcome; <paramref name="found"/> counts the sharers added by this call.
    /// </summary>
    public SharerSearchOutcome FindSharers(ProcessReader reader, out int found, bool exhaustive = false, IRuleOutcomes? knownRules = null)
    {
        found = 0;
        ExcludedSharer = null;
        if (reader.TryReadStat(Pid, out ProcStat self) != ProcReadOutcome.Ok || self.StartTimeTicks != StartTimeTicks || !OwnsItsPid())
        {
            return SharerSearchOutcome.VictimGone;
        }
        int victimHolder = reader.FindMmHolder(Pid, self);
        if (victimHolder == 0)
        {
            return SharerSearchOutcome.VictimHasNoMm;
        }
        // The vsize filter needs the victim's own figure, which a leader without an mm does not show.
        bool bySize = !exhaustive && victimHolder == Pid;
        var directory = new PidDirectory(reader.RootBytes, 1024);
        ProcReadOutcome listed = directory.TryList(out ReadOnlySpan<int> pids);
        if (listed != ProcReadOutcome.Ok)
        {
            return listed == ProcReadOutcome.OutOfFileDescriptors ? SharerSearchOutcome.OutOfFileDescriptors : SharerSearchOutcome.Failed;
        }
        var scope = new RankingScope(0, 1, _selfPid, _protectedNames).WithRules(_rules);
        SharerSearchOutcome outcome = SharerSearchOutcome.Completed;
        foreach (int pid in pids)
        {
            if (pid == Pid || IsSharer(pid))
            {
                continue;
            }
            if (reader.TryReadStat(pid, out ProcStat other) != ProcReadOutcome.Ok || other.IsKernelThread)
            {
                continue;
            }
            if (bySize && other.VsizeBytes != self.VsizeBytes)
            {
                continue;
            }
            int otherHolder = reader.FindMmHolder(pid, other);
            if (otherHolder == 0)
            {
                continue;
            }
            PidFdOpenOutcome opened = PidFdSyscalls.Open(pid, out PidFdHandle? pidfd);
            if (opened == PidFdOpenOutcome.OutOfFileDescriptors)
            {
                return SharerSearchOutcome.OutOfFileDescriptors;
            }
            if (opened != PidFdOpenOutcome.Opened)
            {
                continue;
            }
            int same = Interop.kcmp(victimHolder, otherHolder, Interop.KCMP_VM);
            Interop.Errno errno = same < 0 ? Interop.LastErrno : 0;
            if ((same == 0 || errno == Interop.Errno.ESRCH) && !StillHolds(reader, victimHolder))
            {
                // The victim's number may have named another process during kcmp: nothing it said counts.
                pidfd!.Dispose();
                return SharerSearchOutcome.VictimGone;
            }
            ProcStat again = default;
            bool keep = same == 0
                && reader.TryReadStat(pid, out again) == ProcReadOutcome.Ok
                && again.StartTimeTicks == other.StartTimeTicks
                && reader.ThreadHoldsMm(pid, otherHolder);
            if (keep)
            {
                ExclusionReason excluded = SharerExclusion(reader, pid, again, scope, knownRules);
                if (excluded != ExclusionReason.None)
                {
                    pidfd!.Dispose();
                    ExcludedSharer = (pid, excluded);
                    return SharerSearchOutcome.SharerExcluded;
                }
                _sharers.Add(new Sharer(pid, other.StartTimeTicks, pidfd!, again.Layout));
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
    /// Step 4. SIGKILL through the pidfds: every sharer not killed yet that still shares the mm (checked right before
    /// its signal, <see cref="KillSharers"/>), then the victim. The kernel marks the whole thread group as exiting
    /// (SIGNAL_GROUP_EXIT) while sending, so the reap may follow at once. Returns the victim's outcome; each sharer
    /// keeps its own.
    /// </summary>
    public SignalOutcome Kill(ProcessReader reader)
    {
        // Sharers first, the victim last: the reap should follow the victim's SIGKILL with nothing in between, before
        // the victim reaches exit_mm (after that process_mrelease can only answer ESRCH, docs/kill-protocol.md step 5).
        KillSharers(reader);
        SignalOutcome outcome = PidFdSyscalls.SendSignal(PidFd, Interop.SIGKILL);
        if (outcome == SignalOutcome.Sent && KillSentTimestamp == 0)
        {
            KillSentTimestamp = Stopwatch.GetTimestamp();
        }
        return outcome;
    }

    /// <summary>
    /// SIGKILL to the sharers not signalled yet. Right before each signal, kcmp asks again whether it still shares the
    /// victim's mm: a vfork child that exec'd since the search has an mm of its own and is a different program now, so
    /// it is left alone (<see cref="SignalOutcome.NoLongerShares"/>). When the victim holds no mm any more (it exited
    /// during its SIGTERM grace), kcmp has nothing to compare with: the mm's layout (<see cref="MmLayout"/>), unchanged
    /// since the search, is the proof instead, and a sharer whose layout changed or cannot be read is left alone. A sharer that is gone or exiting is signalled through its pidfd, which
    /// cannot reach anyone else. Returns how many SIGKILLs were sent.
    /// </summary>
    public int KillSharers(ProcessReader reader)
    {
        int sent = 0;
        foreach (Sharer sharer in _sharers)
        {
            if (sharer.KillOutcome is not null)
            {
                continue;
            }
            if (!StillShares(reader, sharer))
            {
                sharer.KillOutcome = SignalOutcome.NoLongerShares;
                continue;
            }
            sharer.KillOutcome = PidFdSyscalls.SendSignal(sharer.PidFd, Interop.SIGKILL);
            if (sharer.KillOutcome == SignalOutcome.Sent)
            {
                sent++;
            }
        }
        return sent;
    }

    /// <summary>Step 5, one attempt: process_mrelease on the victim's pidfd (only meaningful right after SIGKILL; <see cref="Reaper.Run"/> adds the retries).</summary>
    public ReapOutcome TryReap() => PidFdSyscalls.Mrelease(PidFd);

    /// <summary>
    /// Is a core dump of the victim in progress ("CoreDumping: 1" in the status of a thread that holds its mm)?
    /// process_mrelease refuses such a victim with EINVAL until the dump ends (docs/kill-protocol.md step 5).
    /// </summary>
    public bool IsCoreDumping(ProcessReader reader) =>
        reader.TryReadStat(Pid, out ProcStat stat) == ProcReadOutcome.Ok
        && stat.StartTimeTicks == StartTimeTicks
        && reader.TryReadMemoryStatus(Pid, stat.NumThreads, out ProcStatus status, out _) == ProcReadOutcome.Ok
        && status.CoreDumping;

    /// <summary>Step 6: has the thread group exited (pidfd readable)? Does not wait.</summary>
    public bool HasExited => PidFdSyscalls.WaitForExit(PidFd, 0);

    /// <summary>Waits up to <paramref name="timeoutMs"/> for the pidfd to become readable.</summary>
    public bool WaitForExit(int timeoutMs) => PidFdSyscalls.WaitForExit(PidFd, timeoutMs);

    /// <summary>Closes the victim's pidfd and every sharer's. A second call does nothing.</summary>
    public void Dispose()
    {
        foreach (Sharer sharer in _sharers)
        {
            sharer.Dispose();
        }
        PidFd.Dispose();
    }

    /// <summary>
    /// Takes over a sharer a previous instance found (its state file lists it with <paramref name="layoutWhenFound"/>,
    /// the shared mm's layout when that instance's search found it): opened by pidfd and its start time checked after
    /// the open. While the victim still holds its mm, kcmp(KCMP_VM) must confirm that the sharer shares it still; once
    /// the victim has left its mm (a zombie, or exiting), the sharer's layout must still be the one recorded: a sharer
    /// that exec'd since has an mm of its own and a new layout, and is left alone, as is one whose recorded layout is
    /// unknown (a file without it). The scan's exclusions are applied again (PID 1, reapd itself, oom_score_adj -1000,
    /// this instance's protected names and protect rules): an excluded process is never taken over.
    /// <paramref name="killed"/>: the previous instance SIGKILLed it already (the victim's SIGKILL): it is watched, not
    /// signalled again. False when it is gone, is another process now, no longer shares the mm, or is excluded.
    /// </summary>
    public bool AdoptSharer(ProcessReader reader, int pid, ulong startTimeTicks, MmLayout layoutWhenFound, bool killed)
    {
        if (pid == Pid || IsSharer(pid) || !ConfirmedPidFd.TryOpen(reader, pid, startTimeTicks, out PidFdHandle? pidfd, out ProcStat stat))
        {
            return false;
        }
        int victimHolder = reader.TryReadStat(Pid, out ProcStat self) == ProcReadOutcome.Ok && self.StartTimeTicks == StartTimeTicks
            ? reader.FindMmHolder(Pid, self) : 0;
        int sharerHolder = reader.FindMmHolder(pid, stat);
        // A sharer without an mm (exiting or a zombie) holds no memory, and a signal through its pidfd hurts no one.
        bool shares = sharerHolder == 0
            || (victimHolder != 0
                ? Interop.kcmp(victimHolder, sharerHolder, Interop.KCMP_VM) == 0 && StillHolds(reader, victimHolder)
                    && reader.TryReadStat(pid, out ProcStat again) == ProcReadOutcome.Ok && again.StartTimeTicks == startTimeTicks
                    && reader.ThreadHoldsMm(pid, sharerHolder)
                // Nothing to compare with by kcmp: the layout recorded when it was found is the proof, never the one read now.
                : layoutWhenFound.IsKnown && stat.Layout == layoutWhenFound);
        if (!shares || SharerExclusion(reader, pid, stat, new RankingScope(0, 1, _selfPid, _protectedNames).WithRules(_rules), null) != ExclusionReason.None)
        {
            pidfd!.Dispose();
            return false;
        }
        var sharer = new Sharer(pid, startTimeTicks, pidfd!, victimHolder != 0 ? stat.Layout : layoutWhenFound);
        if (killed)
        {
            sharer.KillOutcome = SignalOutcome.Sent;
        }
        _sharers.Add(sharer);
        return true;
    }

    /// <summary>
    /// Does the victim's pidfd still reach a thread group that has not been reaped? While it does, its number cannot
    /// name another process (a pid is freed only when its task is released), so a kcmp on that number just before
    /// asked about the victim.
    /// </summary>
    private bool OwnsItsPid() => PidFdSyscalls.SendSignal(PidFd, 0) == SignalOutcome.Sent;

    private bool StillHolds(ProcessReader reader, int holder) => OwnsItsPid() && (holder == Pid || reader.ThreadHoldsMm(Pid, holder));

    private bool StillShares(ProcessReader reader, Sharer sharer)
    {
        if (reader.TryReadStat(sharer.Pid, out ProcStat stat) != ProcReadOutcome.Ok || stat.StartTimeTicks != sharer.StartTimeTicks)
        {
            // Reaped already (its number may be someone else's now): the signal through its pidfd cannot reach anyone.
            return true;
        }
        int sharerHolder = reader.FindMmHolder(sharer.Pid, stat);
        if (sharerHolder == 0)
        {
            // Exiting or a zombie: it holds no memory and the signal hurts no one.
            return true;
        }
        if (reader.TryReadStat(Pid, out ProcStat self) != ProcReadOutcome.Ok || self.StartTimeTicks != StartTimeTicks)
        {
            return SameLayoutAsFound(stat, sharer);
        }
        int victimHolder = reader.FindMmHolder(Pid, self);
        if (victimHolder == 0)
        {
            // The victim has left its mm (it exited during a SIGTERM grace): kcmp has nothing to compare with. The mm's
            // layout, unchanged since the search, shows the sharer still holds that mm; an exec would have replaced it.
            return SameLayoutAsFound(stat, sharer);
        }
        int same = Interop.kcmp(victimHolder, sharerHolder, Interop.KCMP_VM);
        if (same != 0 || !StillHolds(reader, victimHolder))
        {
            return false;
        }
        // The sharer's number named the sharer during kcmp if it still does now, with an mm.
        return reader.TryReadStat(sharer.Pid, out ProcStat again) == ProcReadOutcome.Ok
            && again.StartTimeTicks == sharer.StartTimeTicks
            && reader.ThreadHoldsMm(sharer.Pid, sharerHolder);
    }

    private static bool SameLayoutAsFound(in ProcStat now, Sharer sharer) =>
        sharer.LayoutWhenFound.IsKnown && now.Layout == sharer.LayoutWhenFound;

    /// <summary>
    /// The scan's exclusions (CandidateClassifier.Classify), applied to a confirmed sharer: it holds an mm. A protect
    /// rule excludes it too, and so does one that could not be evaluated (RuleProtection); an ignore rule does not (an
    /// ignored process may die with another).
    /// </summary>
    private static ExclusionReason SharerExclusion(ProcessReader reader, int pid, in ProcStat stat, in RankingScope scope, IRuleOutcomes? knownRules)
    {
        // An unreadable oom_score_adj (the process just went) counts as 0: the kcmp answer above stands.
        _ = reader.TryReadOomScoreAdj(pid, out int adj);
        ExclusionReason excluded = CandidateClassifier.Classify(stat, hasMm: true, adj, scope);
        if (excluded != ExclusionReason.None || scope.Rules.IsEmpty)
        {
            return excluded;
        }
        // Rare (a victim with mm sharers, found once per victim) and off the scan: a reader of its own keeps this simple.
        return RuleProtection.Of(reader, new ProcessAttributesReader(reader), pid, stat, scope.Rules, knownRules);
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
