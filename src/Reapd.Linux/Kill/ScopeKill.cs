using System.Globalization;
using System.Text;
using Reapd.Core.Cgroups;
using Reapd.Core.Policy;
using Reapd.Core.Proc;
using Reapd.Core.Selection;
using Reapd.Linux.Proc;

namespace Reapd.Linux.Kill;

/// <summary>
/// A kill scope wider than the process (docs/cgroups.md): every process of the victim's process group, the victim's
/// descendants, or every process of its unit cgroup. Two steps around the victim's own SIGKILL:
/// <see cref="Prepare"/> finds the members and opens each by pidfd with the identity check (its start time against the
/// stat just read) before the victim dies, because the victim's exit reparents its children and the tree could no
/// longer be walked; <see cref="KillMembers"/> SIGKILLs them right after the victim. If a member is one that may never
/// be killed (PID 1, reapd, a kernel thread, oom_score_adj -1000, a protected name, or what
/// <c>memberExclusion</c> refuses: a protect rule, an omitted unit), the whole scope is refused and the victim dies
/// alone, as the kernel's group kill never reaches such a process. For a cgroup v2 unit, <see cref="FreezeAndRecheck"/>
/// closes the window between that check and the kill: it freezes the unit, checks its members again, and
/// <see cref="KillMembers"/> (or <see cref="Thaw"/>, or Dispose) thaws it. Not on the quiet cycle: it allocates and reads /proc.
/// </summary>
public sealed class ScopeKill : IDisposable
{
    private readonly List<ScopeMember> _members = [];
    // pid -> index in _members of the newest member with that pid: the re-check and the sweep look each pid of the unit
    // up here instead of scanning the list (that was O(n^2) inside the freeze bound).
    private readonly Dictionary<int, int> _memberIndex = [];
    private readonly ProcessReader _reader;
    private readonly int _victimPid;
    private readonly RankingScope _exclusions;
    private readonly Func<int, ExclusionReason>? _memberExclusion;
    private readonly IRuleOutcomes? _knownRules;
    private readonly string? _v2Mount;
    private HashSet<int>? _tree;
    private HashSet<int>? _skip;
    private CgroupFreeze? _freeze;
    private ProcessAttributesReader? _attributes;

    private ScopeKill(KillScope scope, int victimPid, ProcessReader reader, in RankingScope exclusions, Func<int, ExclusionReason>? memberExclusion,
        string? v2Mount, IRuleOutcomes? knownRules)
    {
        _knownRules = knownRules;
        Scope = scope;
        _victimPid = victimPid;
        _reader = reader;
        _exclusions = exclusions;
        _memberExclusion = memberExclusion;
        _v2Mount = v2Mount;
    }

    public KillScope Scope { get; }

    public ScopeKillOutcome Outcome { get; private set; } = ScopeKillOutcome.NoOtherMembers;

    /// <summary>What the scope names in the event: "process-group:4242", "subtree:4242", "cgroup:/system.slice/a.service".</summary>
    public string Target { get; private set; } = "";

    /// <summary>The member that refused the scope, and why.</summary>
    public (int Pid, string Why)? RefusedBy { get; private set; }

    /// <summary>The scope is a cgroup v2 unit, which <see cref="FreezeAndRecheck"/> freezes before the kill.</summary>
    public bool UnifiedUnit { get; private set; }

    /// <summary>How the freeze before the kill ended; null when none was tried (not a v2 unit, or refused before).</summary>
    public CgroupFreezeOutcome? Freeze { get; private set; }

    /// <summary>
    /// 0, or the errno of a thaw that failed: the unit may still be frozen, which the caller must report (it is never
    /// silent). The thaw writes through the fd opened at the freeze, so running out of fds cannot cause it.
    /// </summary>
    public int ThawErrno => _freeze?.ThawErrno ?? _timedOutThawErrno;

    // The errno of the thaw TryFreeze did itself when the unit did not freeze in time (there is no _freeze then).
    private int _timedOutThawErrno;

    /// <summary>
    /// The one deadline of <see cref="FreezeAndRecheck"/>: the freeze, the wait for the unit to report frozen and the
    /// re-check of its members together. A process in uninterruptible sleep (I/O, direct reclaim) stops only when it
    /// returns to user space; the victim's SIGKILL waits behind this, so it is short. Not bounded by it: the write of 1
    /// to cgroup.freeze, which takes the kernel's cgroup_mutex.
    /// </summary>
    public const int FreezeBoundMs = 50;

    public IReadOnlyList<ScopeMember> Members => _members;

    /// <summary>Members SIGKILLed.</summary>
    public int Signalled
    {
        get
        {
            int count = 0;
            foreach (ScopeMember member in _members)
            {
                count += member.KillOutcome == SignalOutcome.Sent ? 1 : 0;
            }
            return count;
        }
    }

    /// <summary>Members SIGKILLed whose exit has not been seen yet.</summary>
    public int Live
    {
        get
        {
            int count = 0;
            foreach (ScopeMember member in _members)
            {
                count += member.IsLive ? 1 : 0;
            }
            return count;
        }
    }

    /// <summary>
    /// Finds the members of <paramref name="scope"/> around the victim <paramref name="victimPid"/> (confirmed by the
    /// caller) and opens each; nothing is signalled. <paramref name="exclusions"/> carries reapd's pid and the protected
    /// names. <paramref name="skipPids"/>: the victim's mm sharers, which the victim's own kill handles.
    /// <paramref name="v2Mount"/> is the cgroup2 mount (cgroup scope on v2), <paramref name="v1MemoryMount"/> the v1
    /// memory mount (cgroup scope on v1); the cgroup is the victim's unit cgroup (<see cref="UnitCgroups.UnitOf"/>: the
    /// pod for a Kubernetes container).
    /// </summary>
    public static ScopeKill Prepare(KillScope scope, int victimPid, ProcessReader reader, in RankingScope exclusions,
        ReadOnlySpan<int> skipPids, Func<int, ExclusionReason>? memberExclusion = null, string? v2Mount = null, string? v1MemoryMount = null,
        IRuleOutcomes? knownRules = null)
    {
        var kill = new ScopeKill(scope, victimPid, reader, exclusions, memberExclusion, v2Mount, knownRules);
        if (scope == KillScope.Process)
        {
            return kill;
        }
        HashSet<int> skip = [victimPid];
        foreach (int pid in skipPids)
        {
            skip.Add(pid);
        }
        kill._skip = skip;
        if (reader.TryReadStat(victimPid, out ProcStat victim) != ProcReadOutcome.Ok)
        {
            kill.Outcome = ScopeKillOutcome.Unreadable;
            return kill;
        }
        List<int>? pids = scope switch
        {
            KillScope.ProcessGroup => kill.ProcessGroupOf(victim),
            KillScope.Subtree => kill.SubtreeOf(victimPid),
            _ => kill.CgroupOf(victimPid, v2Mount, v1MemoryMount),
        };
        if (pids is null)
        {
            kill.Outcome = ScopeKillOutcome.Unreadable;
            return kill;
        }
        foreach (int pid in pids)
        {
            if (!skip.Contains(pid) && !kill.TryAdd(pid))
            {
                return kill; // refused: every handle opened so far stays with the object and is closed by Dispose
            }
        }
        kill.Outcome = kill._members.Count > 0 || kill.UnifiedUnit ? ScopeKillOutcome.Killed : ScopeKillOutcome.NoOtherMembers;
        return kill;
    }

    /// <summary>
    /// The members of a scope a previous instance SIGKILLed with its victim (its state file lists them), taken over so
    /// that the settle gate waits for them as for sharers: each opened by pidfd and its start time checked after the
    /// open; one that is gone or is another process now is left out. Nothing is signalled.
    /// </summary>
    public static ScopeKill Adopt(KillScope scope, int victimPid, ProcessReader reader, int selfPid, IEnumerable<(int Pid, ulong StartTimeTicks)> members)
    {
        var kill = new ScopeKill(scope, victimPid, reader, new RankingScope(0, 1, selfPid), null, null, null) { Target = "adopted" };
        foreach ((int pid, ulong startTimeTicks) in members)
        {
            if (!ConfirmedPidFd.TryOpen(reader, pid, startTimeTicks, out PidFdHandle? pidfd, out _))
            {
                continue;
            }
            kill.AddMember(new ScopeMember(pid, startTimeTicks, pidfd!) { KillOutcome = SignalOutcome.Sent });
        }
        kill.Outcome = kill._members.Count > 0 ? ScopeKillOutcome.Killed : ScopeKillOutcome.NoOtherMembers;
        return kill;
    }

    /// <summary>
    /// For a cgroup v2 unit, after <see cref="Prepare"/> and before the victim's SIGKILL: freezes the unit (at most
    /// <paramref name="boundMs"/>), then reads its members again and checks each, old and new, as Prepare did. A process
    /// that forked or was moved into the unit after Prepare's check is either checked now or frozen on arrival after this
    /// read; in both cases no unchecked process dies, because the kill goes through the pidfds of the checked members
    /// (a frozen process cannot fork, so they are the whole unit, save a fork already in progress, which
    /// <see cref="KillMembers"/> sweeps) and not through cgroup.kill, which would take a migrant that arrived after this
    /// read. Runs on the decision loop: the wait is poll(2) on cgroup.events; <paramref name="boundMs"/> bounds the
    /// freeze and the re-check together (when it passes during the re-check, the fallback below applies). A
    /// protected newcomer refuses the scope (the victim dies alone) and the unit is thawed at once. If the unit does not
    /// freeze in the bound (or has no freezer), it is thawed and the members checked so far are killed by pidfd without
    /// the freeze: a child forked after the check survives, which is the price of never killing a process no check saw.
    /// Nothing for other scopes or a refused one.
    /// </summary>
    public void FreezeAndRecheck(int boundMs = FreezeBoundMs)
    {
        if (Outcome != ScopeKillOutcome.Killed || !UnifiedUnit || _v2Mount is null || _cgroupRelative is null || _freeze is not null)
        {
            return;
        }
        // One deadline over the freeze and the re-check: the victim's SIGKILL waits behind both. (The write of 1 itself
        // takes cgroup_mutex, which reapd cannot bound; the deadline starts before it, so a slow write eats the bound.)
        long deadlineMs = Environment.TickCount64 + boundMs;
        string directory = Path.Combine(_v2Mount, _cgroupRelative.TrimStart('/'));
        Freeze = CgroupFreeze.TryFreeze(directory, boundMs, out _freeze, out _timedOutThawErrno);
        if (Freeze != CgroupFreezeOutcome.Frozen)
        {
            return;
        }
        int checkedBefore = _members.Count;
        try
        {
            var pidsReader = new CgroupPidsReader(directory);
            ProcReadOutcome listed = pidsReader.TryRead(out ReadOnlySpan<int> read);
            if (listed == ProcReadOutcome.Gone)
            {
                return; // removed meanwhile: the members opened before are killed by pidfd
            }
            if (listed != ProcReadOutcome.Ok)
            {
                // The unit's members could not be listed again (out of fds, denied): newcomers would go unchecked.
                _ = Refuse(_victimPid, $"the frozen unit's members could not be listed again ({listed})");
                Thaw();
                return;
            }
            int[] pids = read.ToArray();
            foreach (int pid in pids)
            {
                if (Environment.TickCount64 >= deadlineMs)
                {
                    // Out of time: as when the unit does not freeze in the bound, thaw and kill only the members checked
                    // before the freeze; the newcomers this pass opened are let go unsignalled.
                    Thaw();
                    DropMembersFrom(checkedBefore);
                    Freeze = CgroupFreezeOutcome.TimedOut;
                    return;
                }
                if (_skip is not null && _skip.Contains(pid))
                {
                    continue;
                }
                if (!RecheckOrAdd(pid))
                {
                    Thaw();
                    return;
                }
            }
        }
        catch
        {
            Thaw(); // never leave a unit frozen, whatever failed
            throw;
        }
    }

    /// <summary>Thaws the unit if <see cref="FreezeAndRecheck"/> froze it and it is not thawed yet. Idempotent.</summary>
    public void Thaw()
    {
        _freeze?.Thaw();
    }

    /// <summary>
    /// SIGKILLs every member (once the victim's SIGKILL is sent) through its pidfd, so a member that left the cgroup
    /// meanwhile dies too; a frozen member dies as well (SIGKILL ends the freezer's trap). A frozen unit is then read
    /// again, at most three rounds: a process found there that is no member (a fork that completed after the re-check)
    /// is checked and signalled, or, if it may never die, left alone and named in RefusedBy. Then thaws a frozen unit.
    /// For a subtree, the tree is walked again after the signals (a child forked between the walk and its parent's
    /// SIGKILL), at most three rounds. Nothing but the thaw when the scope was refused.
    /// </summary>
    public void KillMembers()
    {
        try
        {
            KillCheckedMembers();
        }
        finally
        {
            Thaw();
        }
    }

    private void KillCheckedMembers()
    {
        if (Outcome != ScopeKillOutcome.Killed)
        {
            return;
        }
        SignalAll();
        bool sweepUnit = Scope == KillScope.Cgroup && Freeze == CgroupFreezeOutcome.Frozen;
        for (int round = 0; round < 3 && (Scope == KillScope.Subtree || sweepUnit); round++)
        {
            int before = _members.Count;
            foreach (int pid in sweepUnit ? NewInUnit() : NewChildren())
            {
                (int Pid, string Why)? spared = RefusedBy;
                if (!TryAdd(pid))
                {
                    // A protected child appeared after the walk: the members signalled stay dead (they cannot be
                    // revived), the protected one is left alone and named in RefusedBy (the first one, in the unit).
                    Outcome = ScopeKillOutcome.Killed;
                    if (!sweepUnit)
                    {
                        break;
                    }
                    RefusedBy = spared ?? RefusedBy; // the unit's other newcomers are still checked and signalled
                }
            }
            if (_members.Count == before)
            {
                break;
            }
            SignalAll();
        }
    }

    /// <summary>process_mrelease on every member signalled (reaper thread): each has its own mm.</summary>
    public int ReapMembers()
    {
        int released = 0;
        foreach (ScopeMember member in _members)
        {
            if (member.KillOutcome == SignalOutcome.Sent && member.ReapOutcome is null)
            {
                member.ReapOutcome = PidFdSyscalls.Mrelease(member.PidFd);
                released += member.ReapOutcome == Kill.ReapOutcome.Reaped ? 1 : 0;
            }
        }
        return released;
    }

    /// <summary>One phrase for the event line when the scope did not kill: why.</summary>
    public string Describe() => Outcome switch
    {
        ScopeKillOutcome.Killed => string.Create(CultureInfo.InvariantCulture, $"killed {Target} ({Signalled} more processes)"),
        ScopeKillOutcome.Refused => string.Create(CultureInfo.InvariantCulture,
            $"refused {Target}: it reaches pid {RefusedBy?.Pid} ({RefusedBy?.Why}); the victim alone is killed"),
        ScopeKillOutcome.NoOtherMembers => $"{Target} holds no other process",
        _ => $"{Target} could not be read (gone); the victim alone is killed",
    };

    public void Dispose()
    {
        Thaw();
        foreach (ScopeMember member in _members)
        {
            member.Dispose();
        }
    }

    /// <summary>The newest member with this pid, or null.</summary>
    private ScopeMember? MemberOf(int pid) => _memberIndex.TryGetValue(pid, out int i) ? _members[i] : null;

    private void AddMember(ScopeMember member)
    {
        _memberIndex[member.Pid] = _members.Count;
        _members.Add(member);
    }

    /// <summary>Closes and forgets the members from index <paramref name="first"/> on (none of them was signalled).</summary>
    private void DropMembersFrom(int first)
    {
        for (int i = _members.Count - 1; i >= first; i--)
        {
            ScopeMember dropped = _members[i];
            _members.RemoveAt(i);
            dropped.Dispose();
            _memberIndex.Remove(dropped.Pid);
            for (int j = i - 1; j >= 0; j--)
            {
                if (_members[j].Pid == dropped.Pid)
                {
                    _memberIndex[dropped.Pid] = j;
                    break;
                }
            }
        }
    }

    /// <summary>
    /// A pid read from the frozen unit: a member checked before is checked again (its oom_score_adj or name may have
    /// changed); anything else, including a process that took the number of a member that exited (its start time
    /// differs from the member's), is a newcomer for <see cref="TryAdd"/>.
    /// </summary>
    private bool RecheckOrAdd(int pid)
    {
        ScopeMember? member = MemberOf(pid);
        if (member is null)
        {
            return TryAdd(pid);
        }
        ProcReadOutcome read = _reader.TryReadStat(pid, out ProcStat stat);
        if (read == ProcReadOutcome.Gone)
        {
            return true; // exited: its pidfd signal finds nothing
        }
        if (read == ProcReadOutcome.OutOfFileDescriptors)
        {
            return Unchecked(pid);
        }
        if (read != ProcReadOutcome.Ok)
        {
            return true; // not readable (denied, malformed): as before, counted with the gone
        }
        if (stat.StartTimeTicks != member.StartTimeTicks)
        {
            return TryAdd(pid); // the member exited and a newcomer has its number
        }
        return MayDie(pid, stat, out _);
    }

    private void SignalAll()
    {
        foreach (ScopeMember member in _members)
        {
            member.KillOutcome ??= PidFdSyscalls.SendSignal(member.PidFd, Interop.SIGKILL);
        }
    }

    /// <summary>Opens <paramref name="pid"/>, confirms it and checks it may be killed; false (and Refused) when it may not.</summary>
    private bool TryAdd(int pid)
    {
        ProcReadOutcome read = _reader.TryReadStat(pid, out ProcStat stat);
        if (read == ProcReadOutcome.Gone)
        {
            return true; // gone meanwhile
        }
        if (read == ProcReadOutcome.OutOfFileDescriptors)
        {
            return Unchecked(pid);
        }
        if (read != ProcReadOutcome.Ok)
        {
            return true; // not readable (denied, malformed): as before, counted with the gone
        }
        if (_walkStartTicks.TryGetValue(pid, out ulong walked) && walked != stat.StartTimeTicks)
        {
            return true; // the member exited and its number was taken since the walk: the newcomer is no member
        }
        if (!MayDie(pid, stat, out ExclusionReason excluded))
        {
            return false;
        }
        if (excluded == ExclusionReason.NoMemory)
        {
            return true; // a zombie or exiting process: nothing to free, nothing to signal
        }
        PidFdOpenOutcome opened = PidFdSyscalls.Open(pid, out PidFdHandle? pidfd);
        if (opened == PidFdOpenOutcome.OutOfFileDescriptors)
        {
            // Not gone: reapd has no fd for it. Counting it as gone would report the scope killed while it lives on.
            return Refuse(pid, "it could not be opened: reapd is out of file descriptors (EMFILE/ENFILE)");
        }
        if (opened != PidFdOpenOutcome.Opened)
        {
            return true; // gone between the two reads
        }
        // The pidfd pins whatever had the number at open time: the start time read after it shows it is the one checked.
        ProcReadOutcome reread = _reader.TryReadStat(pid, out ProcStat again);
        bool inScope = reread == ProcReadOutcome.Ok && again.StartTimeTicks == stat.StartTimeTicks && InScopeCgroup(pid, out reread);
        if (!inScope)
        {
            pidfd!.Dispose();
            // Out of fds is no answer: the process may well be the one checked, in the unit.
            return reread == ProcReadOutcome.OutOfFileDescriptors ? Unchecked(pid) : true;
        }
        AddMember(new ScopeMember(pid, stat.StartTimeTicks, pidfd!));
        return true;
    }

    /// <summary>
    /// A process that could not be read for lack of fds is not known gone: it may live on, so the scope is refused (the
    /// victim dies alone) rather than reported killed without it.
    /// </summary>
    private bool Unchecked(int pid) => Refuse(pid, "it could not be read: reapd is out of file descriptors (EMFILE/ENFILE)");

    /// <summary>
    /// Whether a member read as <paramref name="stat"/> may die with the victim (<see cref="Exclusion"/>); when it may
    /// not, or its check could not be made, the scope is refused. <paramref name="excluded"/> is NoMemory for a
    /// process with nothing to signal (a zombie, an exiting one), else None.
    /// </summary>
    private bool MayDie(int pid, in ProcStat stat, out ExclusionReason excluded)
    {
        excluded = Exclusion(pid, stat, out string? unread);
        return (unread is null && excluded is ExclusionReason.None or ExclusionReason.NoMemory)
            || Refuse(pid, unread ?? excluded.Describe());
    }

    /// <summary>Refuses the scope because of <paramref name="pid"/> (the victim dies alone); false, for the callers' returns.</summary>
    private bool Refuse(int pid, string why)
    {
        Outcome = ScopeKillOutcome.Refused;
        RefusedBy = (pid, why);
        return false;
    }

    /// <summary>
    /// Why a member may not die: the scan's exclusions, then a protect rule (an ignore rule lets it die with the scope:
    /// that is what ignore means), then the caller's predicate (an omitted unit). <paramref name="unread"/> names a check
    /// that could not be made (its oom_score_adj unreadable for another reason than the process being gone): the
    /// caller refuses the scope, as for a protected member — an unknown oom_score_adj may be -1000.
    /// </summary>
    private ExclusionReason Exclusion(int pid, in ProcStat stat, out string? unread)
    {
        unread = null;
        ProcReadOutcome adjRead = _reader.TryReadOomScoreAdj(pid, out int adj);
        if (adjRead == ProcReadOutcome.Gone)
        {
            return ExclusionReason.NoMemory; // exited since its stat: nothing to signal
        }
        if (adjRead != ProcReadOutcome.Ok)
        {
            unread = $"its oom_score_adj could not be read ({adjRead}): it may be -1000";
            return ExclusionReason.None;
        }
        bool hasMm = !stat.IsKernelThread && _reader.FindMmHolder(pid, stat) != 0;
        ExclusionReason reason = CandidateClassifier.Classify(stat, hasMm, adj, _exclusions);
        if (reason is not ExclusionReason.None and not ExclusionReason.NoMemory)
        {
            return reason;
        }
        if (!_exclusions.Rules.IsEmpty)
        {
            _attributes ??= new ProcessAttributesReader(_reader);
            // A protect rule whose input could not be read (the member's command line blocks or it is mid-exec)
            // refuses the scope as a matching one would: protection fails closed. On the loop the command line is not
            // read at all: the scan's verdict decides (RuleProtection).
            ExclusionReason byRules = RuleProtection.Of(_reader, _attributes, pid, stat, _exclusions.Rules, _knownRules);
            if (byRules != ExclusionReason.None)
            {
                return byRules;
            }
        }
        if (_memberExclusion?.Invoke(pid) is ExclusionReason extra && extra != ExclusionReason.None)
        {
            return extra;
        }
        return reason;
    }

    private List<int>? ProcessGroupOf(in ProcStat victim)
    {
        int group = victim.ProcessGroupId;
        Target = "process-group:" + group.ToString(CultureInfo.InvariantCulture);
        List<(int Pid, ProcStat Stat)>? all = StatAll();
        if (all is null)
        {
            return null;
        }
        List<int> pids = [];
        foreach ((int pid, ProcStat stat) in all)
        {
            if (stat.ProcessGroupId == group && !stat.IsKernelThread)
            {
                pids.Add(pid);
            }
        }
        return pids;
    }

    private List<int>? SubtreeOf(int root)
    {
        Target = "subtree:" + root.ToString(CultureInfo.InvariantCulture);
        List<(int Pid, ProcStat Stat)>? all = StatAll();
        if (all is null)
        {
            return null;
        }
        _tree = [root];
        // Repeated passes instead of a child index: a child's pid can be lower than its parent's after pid wrap-around.
        bool grew = true;
        while (grew)
        {
            grew = false;
            foreach ((int pid, ProcStat stat) in all)
            {
                if (!_tree.Contains(pid) && _tree.Contains(stat.ParentPid) && !stat.IsKernelThread)
                {
                    _tree.Add(pid);
                    grew = true;
                }
            }
        }
        List<int> pids = [.. _tree];
        pids.Remove(root);
        return pids;
    }

    /// <summary>
    /// For the cgroup scope: whether the process the pidfd pins is still in the unit (cgroup.procs was read before it
    /// was opened; a number reused meanwhile belongs to a process born elsewhere). True for the other scopes.
    /// </summary>
    private bool InScopeCgroup(int pid, out ProcReadOutcome read)
    {
        read = ProcReadOutcome.Ok;
        if (_cgroupRelative is null)
        {
            return true;
        }
        Span<byte> text = stackalloc byte[4096];
        read = _reader.TryReadCgroup(pid, text, out int length);
        if (read != ProcReadOutcome.Ok)
        {
            return false;
        }
        ReadOnlySpan<byte> content = text[..length];
        string current;
        if (_cgroupUnified)
        {
            if (!ProcCgroupParser.TryFindUnified(content, out ReadOnlySpan<byte> unified))
            {
                return false;
            }
            current = Encoding.UTF8.GetString(unified);
        }
        else
        {
            if (!ProcCgroupParser.TryFindV1(content, "memory"u8, out ReadOnlySpan<byte> memory))
            {
                return false;
            }
            current = Encoding.UTF8.GetString(memory);
        }
        return current == _cgroupRelative || current.StartsWith(_cgroupRelative + "/", StringComparison.Ordinal);
    }

    /// <summary>
    /// For a frozen cgroup unit, after the member signals: the processes in the unit that are no member (nor the
    /// victim or a sharer). The kernel can report a unit frozen while its own processes still run (its bit set from its
    /// child cgroups, docs/cgroups.md), so one of them may have forked after the re-check; such a child is checked
    /// (TryAdd) like any member before it is signalled. Still frozen here: nothing forks while this reads.
    /// </summary>
    private List<int> NewInUnit()
    {
        List<int> found = [];
        if (_v2Mount is null || _cgroupRelative is null)
        {
            return found;
        }
        var pidsReader = new CgroupPidsReader(Path.Combine(_v2Mount, _cgroupRelative.TrimStart('/')));
        if (pidsReader.TryRead(out ReadOnlySpan<int> pids) != ProcReadOutcome.Ok)
        {
            return found;
        }
        foreach (int pid in pids)
        {
            if (_skip is not null && _skip.Contains(pid))
            {
                continue;
            }
            ScopeMember? member = MemberOf(pid);
            // A member's number with another start time is a newcomer that took it after the member exited.
            if (member is null || (_reader.TryReadStat(pid, out ProcStat stat) == ProcReadOutcome.Ok && stat.StartTimeTicks != member.StartTimeTicks))
            {
                found.Add(pid);
            }
        }
        return found;
    }

    private IEnumerable<int> NewChildren()
    {
        List<(int Pid, ProcStat Stat)>? all = StatAll();
        if (all is null || _tree is null)
        {
            yield break;
        }
        foreach ((int pid, ProcStat stat) in all)
        {
            if (!_tree.Contains(pid) && _tree.Contains(stat.ParentPid) && !stat.IsKernelThread)
            {
                _tree.Add(pid);
                yield return pid;
            }
        }
    }

    private List<int>? CgroupOf(int victimPid, string? v2Mount, string? v1MemoryMount)
    {
        Span<byte> text = stackalloc byte[4096];
        if (_reader.TryReadCgroup(victimPid, text, out int length) != ProcReadOutcome.Ok)
        {
            Target = "cgroup:?";
            return null;
        }
        string? relative = null;
        string? mount = null;
        // The unified line names the unit where cgroup v2 runs the machine; on a v1 memory hierarchy the unified line
        // (a cgroup2 mount without controllers) usually says "/", and the memory controller's path is the cgroup.
        if (v2Mount is not null && ProcCgroupParser.TryFindUnified(text[..length], out ReadOnlySpan<byte> unified)
            && (v1MemoryMount is null || !unified.SequenceEqual("/"u8)))
        {
            relative = UnitCgroups.UnitOf(Encoding.UTF8.GetString(unified));
            mount = v2Mount;
        }
        else if (v1MemoryMount is not null && ProcCgroupParser.TryFindV1(text[..length], "memory"u8, out ReadOnlySpan<byte> memory))
        {
            relative = Encoding.UTF8.GetString(memory);
            mount = v1MemoryMount;
        }
        Target = "cgroup:" + (relative ?? "?");
        if (relative is null || mount is null || relative.EndsWith(" (deleted)", StringComparison.Ordinal)
            || Cgroups.UnitGroupReader.IsOutsideNamespace(relative))
        {
            // Removed, or outside reapd's cgroup namespace ("/../x"), which no path below the mount reaches.
            return null;
        }
        if (relative == "/")
        {
            // The root cgroup is the whole machine: that is no unit to kill.
            _ = Refuse(victimPid, "the victim is in the root cgroup, which holds the whole machine");
            return null;
        }
        _cgroupRelative = relative;
        _cgroupUnified = mount == v2Mount;
        var reader = new CgroupPidsReader(Path.Combine(mount, relative.TrimStart('/')));
        if (reader.TryRead(out ReadOnlySpan<int> pids) != ProcReadOutcome.Ok)
        {
            return null;
        }
        UnifiedUnit = mount == v2Mount;
        return [.. pids];
    }

    // What each pid was when a walk made it a member (its start time): TryAdd opens by number, so it must be that process,
    // not one that took the number after the walk.
    private readonly Dictionary<int, ulong> _walkStartTicks = [];

    // The cgroup scope's unit (relative to its mount) and hierarchy, for re-checking a member after its pidfd is open.
    private string? _cgroupRelative;
    private bool _cgroupUnified;

    private List<(int Pid, ProcStat Stat)>? StatAll()
    {
        var directory = new PidDirectory(_reader.RootBytes, 1024);
        if (directory.TryList(out ReadOnlySpan<int> pids) != ProcReadOutcome.Ok)
        {
            return null;
        }
        List<(int, ProcStat)> all = new(pids.Length);
        foreach (int pid in pids)
        {
            if (_reader.TryReadStat(pid, out ProcStat stat) == ProcReadOutcome.Ok)
            {
                all.Add((pid, stat));
                _walkStartTicks[pid] = stat.StartTimeTicks;
            }
        }
        return all;
    }
}
