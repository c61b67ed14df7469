using System.Diagnostics;
using Reapd.Core.Proc;
using Reapd.Core.Selection;
using Reapd.Linux.Proc;
using Reapd.Linux.Threading;

namespace Reapd.Daemon;

/// <summary>
/// One thread that scans the scope's processes for the loop, so that a /proc read that blocks in the kernel holds
/// this thread and never the loop (docs/reliability.md, "Scanning under churn and stuck /proc"). A scan has up to three
/// passes, ordered so that what can block comes last: first every listed process's stat, status, oom_score_adj (and
/// the exe link, cgroup and uid that rules may need), which never wait on the process's mm (docs/kernel.md E.1), each
/// process published as soon as it is read — so the ranking is whole even when a process's mm is held; then, when a
/// rule looks at command lines, the command line of every process whose outcome it can still change, best first, and
/// its rules applied again with it; then, for the best few of the ranking, the command line shown in the choice
/// event. The last two take the target's mmap lock and can wait for as long as a stuck writer holds it: at the
/// deadline only the process being read is left out (and named), and those whose command line was not reached keep
/// the first pass's verdict (Candidate.RulesPending: a protect or ignore rule on the command line excludes them, fail closed).
/// <para>
/// The loop hands a job over with <see cref="Submit"/> and sleeps on <see cref="SingleJobWorker.CompletionFd"/> until
/// the job's deadline (the hand-over, completion and stop are <see cref="SingleJobWorker"/>'s). Everything the job has
/// finished is published under <see cref="_gate"/>, entry by entry, and the thread never holds the gate across a read:
/// so when the deadline passes first, <see cref="TakePartial"/> gives the loop exactly what was read so far and names
/// the process the thread is inside of, and abandons the job. An abandoned thread publishes nothing more; when its
/// read returns, it becomes free again. Allocation-free once warm. A scan ignores the stop token: it ends by its
/// deadline.
/// </para>
/// </summary>
internal sealed class ScannerThread : SingleJobWorker
{
    /// <summary>Bytes of a command line kept for the choice event; longer ones are cut.</summary>
    public const int CmdlineBytes = 256;

    /// <summary>How many of the best candidates get the second pass (the choice event shows the victim's command line).</summary>
    public const int DetailCount = 3;

    // Which pass the job is in, for the answer taken at a deadline.
    private const int FactsPass = 0;
    private const int RulesPass = 1;
    private const int DetailPass = 2;

    private static readonly Comparison<Candidate> s_rulesPassOrder = RulesPassOrder;

    private readonly CandidateSource _source;
    private readonly Lock _gate = new();

    // The job, written by the loop before Submit publishes it.
    private RankingScope _scope;
    private long _deadlineTimestamp;
    private int[] _skipPids = new int[4];
    private int _skipCount;

    // Published by the thread under the gate.
    private Candidate[] _read = new Candidate[256];
    private readonly byte[] _cmdlines = new byte[DetailCount * CmdlineBytes];
    private readonly int[] _cmdlineLengths = new int[DetailCount];
    private int _readCount;
    private int _listed;
    private int _attempted;
    private int _detailDone;
    private int _pass;
    private int _ruleInFlight = -1;
    private int _currentPid;
    private ScanEnd _end;
    private int _knownStuckSkipped;
    private int _firstKnownStuckPid;

    private ScannerThread(string? cgroupDirectory, int[]? onlyPids, int index)
        : base($"reapd scan {index}")
    {
        _source = new CandidateSource(cgroupDirectory, onlyPids);
    }

    /// <summary>Starts a scanner thread; null with the errno when the kernel refuses an eventfd.</summary>
    public static ScannerThread? TryStart(string? cgroupDirectory, int[]? onlyPids, int index, out int errno)
    {
        var scanner = new ScannerThread(cgroupDirectory, onlyPids, index);
        return scanner.TryStartThread(out errno) ? scanner : null;
    }

    /// <summary>The pid whose /proc files the thread is reading now (0 between reads): a busy thread's stuck process.</summary>
    public int CurrentPid => Volatile.Read(ref _currentPid);

    /// <summary>
    /// Hands a scan to the thread. <paramref name="skipPids"/>: processes another scanner thread is stuck inside;
    /// their blocking reads are not tried again (they are skipped and counted at once).
    /// </summary>
    public void Submit(in RankingScope scope, long deadlineTimestamp, ReadOnlySpan<int> skipPids)
    {
        if (Admission != WorkerSubmitOutcome.Accepted)
        {
            throw new InvalidOperationException($"a scan was submitted to a scanner thread that cannot take it: {Admission}");
        }
        _scope = scope;
        _deadlineTimestamp = deadlineTimestamp;
        if (_skipPids.Length < skipPids.Length)
        {
            _skipPids = new int[skipPids.Length];
        }
        skipPids.CopyTo(_skipPids);
        _skipCount = skipPids.Length;
        lock (_gate)
        {
            _readCount = 0;
            _listed = 0;
            _attempted = 0;
            _detailDone = 0;
            _pass = FactsPass;
            _ruleInFlight = -1;
            _currentPid = 0;
            _knownStuckSkipped = 0;
            _firstKnownStuckPid = 0;
            _end = ScanEnd.Complete;
        }
        StartJob();
    }

    /// <summary>Whether the job has finished (its answer is whole). Drains the completion eventfd.</summary>
    public bool IsFinished => PollFinished();

    /// <summary>
    /// The finished job's answer: the ranking into <paramref name="ranked"/> (grown when too small), and frees the
    /// thread. Only after <see cref="IsFinished"/>. A job that threw rethrows here, on the loop thread.
    /// </summary>
    public void TakeFinished(ref Candidate[] ranked, ref ScanAnswer answer)
    {
        lock (_gate)
        {
            Copy(ref ranked, ref answer, abandon: false);
        }
        ReleaseFinished();
    }

    /// <summary>
    /// The deadline passed first: what the job has read so far, the process it is inside of named as skipped, and the
    /// job abandoned (the thread stays busy until its read returns, then becomes free by itself).
    /// </summary>
    public void TakePartial(ref Candidate[] ranked, ref ScanAnswer answer)
    {
        lock (_gate)
        {
            // Abandoned under the gate, so the thread publishes nothing after the copy below.
            if (TryAbandon())
            {
                Copy(ref ranked, ref answer, abandon: true);
                return;
            }
            // It finished between the deadline and this look: the answer is whole after all.
            Copy(ref ranked, ref answer, abandon: false);
        }
        ReleaseFinished();
    }

    /// <summary>The command line read for entry <paramref name="index"/> of the last answer (empty when not read).</summary>
    public ReadOnlySpan<byte> Cmdline(int index) =>
        index < DetailCount ? _cmdlines.AsSpan(index * CmdlineBytes, _cmdlineLengths[index]) : default;

    /// <summary>Under the gate: the published entries, less the one whose second-pass read is in flight when abandoning.</summary>
    private void Copy(ref Candidate[] ranked, ref ScanAnswer answer, bool abandon)
    {
        int count = _readCount;
        if (ranked.Length < count)
        {
            ranked = new Candidate[Math.Max(count, ranked.Length * 2)];
        }
        answer.Listed = _listed;
        answer.KnownStuckSkipped = _knownStuckSkipped;
        answer.StuckPid = 0;
        answer.StuckName = default;
        answer.StuckInDetail = false;
        answer.RulesPending = 0;
        if (!abandon)
        {
            _read.AsSpan(0, count).CopyTo(ranked);
            if (_pass == FactsPass)
            {
                // The scan ended in the first pass (its deadline, out of descriptors): the entries are in /proc's
                // listing order, and a ranking must put the candidates first — the loop hands its candidate prefix on
                // as choosable.
                CandidateRanking.Sort(ranked.AsSpan(0, count));
            }
            answer.Ranked = count;
            answer.RulesPending = CountRulesPending(ranked.AsSpan(0, count));
            answer.End = _end == ScanEnd.Complete && _knownStuckSkipped > 0 ? ScanEnd.SkippedStuck : _end;
            answer.StuckPid = _firstKnownStuckPid;
            answer.Skipped = _knownStuckSkipped + (_end == ScanEnd.Complete ? 0 : _listed - _attempted);
            answer.CmdlinesRead = _detailDone;
            return;
        }
        answer.End = ScanEnd.Deadline;
        answer.StuckPid = _currentPid;
        if (_pass == FactsPass)
        {
            // First pass: the entries read are final; the process being read and those not reached are skipped. The
            // ranking is sorted on the loop's copy.
            _read.AsSpan(0, count).CopyTo(ranked);
            CandidateRanking.Sort(ranked.AsSpan(0, count));
            answer.Ranked = count;
            answer.Skipped = _knownStuckSkipped + _listed - _attempted;
            answer.RulesPending = CountRulesPending(ranked.AsSpan(0, count));
            answer.CmdlinesRead = 0;
            return;
        }
        // Rules pass: every entry is published; the one whose command line is being read is left out (its mm is held:
        // its rules cannot be decided, and its memory would not come back promptly either), the others keep what was
        // decided so far, re-ranked on the loop's copy. Second pass: the ranking is whole and sorted; the entry whose
        // command line is being read is left out for the same reason.
        bool rulesPass = _pass == RulesPass;
        int stuck = rulesPass ? _ruleInFlight : _detailDone;
        if (rulesPass)
        {
            answer.StuckPid = stuck >= 0 ? _read[stuck].Pid : 0;
        }
        int kept = CopyLeavingOut(count, stuck, ranked, ref answer);
        if (rulesPass)
        {
            CandidateRanking.Sort(ranked.AsSpan(0, kept));
        }
        answer.Ranked = kept;
        answer.Skipped = _knownStuckSkipped + (count - kept);
        answer.RulesPending = CountRulesPending(ranked.AsSpan(0, kept));
        answer.CmdlinesRead = rulesPass ? 0 : stuck;
    }

    /// <summary>Under the gate: copies the published entries but <paramref name="stuck"/> (named in the answer); how many were kept.</summary>
    private int CopyLeavingOut(int count, int stuck, Candidate[] ranked, ref ScanAnswer answer)
    {
        int kept = 0;
        for (int i = 0; i < count; i++)
        {
            if (i == stuck)
            {
                answer.StuckName = _read[i].Name;
                answer.StuckInDetail = true;
                continue;
            }
            ranked[kept++] = _read[i];
        }
        return kept;
    }

    /// <summary>Under the gate: counts a process skipped because another scanner thread is stuck inside it.</summary>
    private void CountKnownStuck(int pid)
    {
        if (_knownStuckSkipped++ == 0)
        {
            _firstKnownStuckPid = pid;
        }
    }

    private static int RulesPassOrder(Candidate x, Candidate y)
    {
        if (x.RulesPending != y.RulesPending)
        {
            return x.RulesPending ? -1 : 1;
        }
        int byBadness = y.BaseBadnessPages.CompareTo(x.BaseBadnessPages);
        return byBadness != 0 ? byBadness : x.Pid.CompareTo(y.Pid);
    }

    private static int CountRulesPending(ReadOnlySpan<Candidate> ranked)
    {
        int pending = 0;
        foreach (ref readonly Candidate candidate in ranked)
        {
            if (candidate.RulesPending)
            {
                pending++;
            }
        }
        return pending;
    }

    protected override void RunJob(CancellationToken stop)
    {
        try
        {
            Scan();
        }
        finally
        {
            Volatile.Write(ref _currentPid, 0);
        }
    }

    private void Scan()
    {
        ProcReadOutcome listedOutcome = _source.List(out ReadOnlySpan<int> pids);
        if (listedOutcome != ProcReadOutcome.Ok)
        {
            lock (_gate)
            {
                _end = listedOutcome == ProcReadOutcome.OutOfFileDescriptors ? ScanEnd.OutOfFileDescriptors : ScanEnd.ListUnreadable;
            }
            return;
        }
        if (_read.Length < pids.Length)
        {
            lock (_gate)
            {
                _read = new Candidate[Math.Max(pids.Length, _read.Length * 2)];
            }
        }
        lock (_gate)
        {
            _listed = pids.Length;
        }
        ProcessScanner scanner = _source.Scanner;
        foreach (int pid in pids)
        {
            if (Stopwatch.GetTimestamp() > _deadlineTimestamp)
            {
                lock (_gate)
                {
                    _end = ScanEnd.Deadline;
                }
                return;
            }
            if (_skipPids.AsSpan(0, _skipCount).Contains(pid))
            {
                // Another scanner thread is inside a read of this process (its command line, in a later pass): its mm
                // is held, so it would not give its memory back promptly; and with rules on command lines, reading it
                // again would only hold this thread too.
                lock (_gate)
                {
                    _attempted++;
                    CountKnownStuck(pid);
                }
                continue;
            }
            Volatile.Write(ref _currentPid, pid);
            ProcReadOutcome read = scanner.TryRead(pid, _scope, deferCmdline: true, out Candidate candidate);
            lock (_gate)
            {
                if (IsAbandoned)
                {
                    return;
                }
                if (read == ProcReadOutcome.OutOfFileDescriptors)
                {
                    // Every further open fails the same way: ranking a fraction silently would be wrong.
                    _end = ScanEnd.OutOfFileDescriptors;
                    return;
                }
                _attempted++;
                if (read == ProcReadOutcome.Ok)
                {
                    _read[_readCount++] = candidate;
                }
            }
        }
        lock (_gate)
        {
            if (IsAbandoned)
            {
                return;
            }
            // The processes whose command line is still to be read first, largest first: with a stuck read among them,
            // the likely victims are decided before it (those after it keep the first pass's verdict). Ranked again at
            // the end of the pass.
            _read.AsSpan(0, _readCount).Sort(s_rulesPassOrder);
            _pass = RulesPass;
        }
        if (!ApplyCmdlineRules(scanner))
        {
            return;
        }
        lock (_gate)
        {
            if (IsAbandoned)
            {
                return;
            }
            _pass = DetailPass;
        }
        ReadDetails(scanner.Reader);
    }

    /// <summary>
    /// The rules pass: each published entry whose outcome a command-line rule can still change (RulesPending, at the
    /// head of the entries, largest first, so the likely victims are decided first), read again in full — command line included — and
    /// replaced, then the ranking sorted again. False when the scan ends here (the deadline, out of descriptors,
    /// abandoned).
    /// </summary>
    private bool ApplyCmdlineRules(ProcessScanner scanner)
    {
        for (int i = 0; i < _readCount; i++)
        {
            Candidate published = _read[i];
            if (!published.RulesPending)
            {
                continue;
            }
            if (Stopwatch.GetTimestamp() > _deadlineTimestamp)
            {
                lock (_gate)
                {
                    _end = ScanEnd.Deadline;
                    CandidateRanking.Sort(_read.AsSpan(0, _readCount));
                }
                return false;
            }
            lock (_gate)
            {
                _ruleInFlight = i;
            }
            Volatile.Write(ref _currentPid, published.Pid);
            ProcReadOutcome read = scanner.TryRead(published.Pid, _scope, deferCmdline: false, out Candidate full);
            lock (_gate)
            {
                if (IsAbandoned)
                {
                    return false;
                }
                _ruleInFlight = -1;
                if (read == ProcReadOutcome.OutOfFileDescriptors)
                {
                    // The rest keep the first pass's verdict; the answer says the scan was cut short.
                    _end = ScanEnd.OutOfFileDescriptors;
                    CandidateRanking.Sort(_read.AsSpan(0, _readCount));
                    return false;
                }
                if (read == ProcReadOutcome.Ok && full.StartTimeTicks == published.StartTimeTicks)
                {
                    _read[i] = full;
                }
                else if (read == ProcReadOutcome.Gone || (read == ProcReadOutcome.Ok && full.StartTimeTicks != published.StartTimeTicks))
                {
                    // It exited since the first pass (its number may already name another process): left out, as a
                    // process that exits during the first pass is.
                    _read.AsSpan(i + 1, _readCount - i - 1).CopyTo(_read.AsSpan(i));
                    _readCount--;
                    i--;
                }
                // Otherwise (unreadable now) it keeps the first pass's verdict, still pending.
            }
        }
        Volatile.Write(ref _currentPid, 0);
        lock (_gate)
        {
            if (IsAbandoned)
            {
                return false;
            }
            CandidateRanking.Sort(_read.AsSpan(0, _readCount));
        }
        return true;
    }

    /// <summary>
    /// The second pass: the command lines of the best candidates, the reads that wait on a held mmap lock. A process
    /// another scanner thread is stuck inside is dropped at once rather than read again.
    /// </summary>
    private void ReadDetails(ProcessReader reader)
    {
        int limit = Math.Min(DetailCount, _readCount);
        for (int i = 0; i < limit; i++)
        {
            Candidate candidate = _read[i];
            if (!candidate.IsCandidate)
            {
                break;
            }
            if (Stopwatch.GetTimestamp() > _deadlineTimestamp)
            {
                lock (_gate)
                {
                    _end = ScanEnd.Deadline;
                }
                return;
            }
            if (_skipPids.AsSpan(0, _skipCount).Contains(candidate.Pid))
            {
                lock (_gate)
                {
                    _read.AsSpan(i + 1, _readCount - i - 1).CopyTo(_read.AsSpan(i));
                    _readCount--;
                    CountKnownStuck(candidate.Pid);
                }
                limit = Math.Min(DetailCount, _readCount);
                i--;
                continue;
            }
            Volatile.Write(ref _currentPid, candidate.Pid);
            ProcReadOutcome read = reader.TryReadCmdline(candidate.Pid, _cmdlines.AsSpan(i * CmdlineBytes, CmdlineBytes), out int length);
            lock (_gate)
            {
                if (IsAbandoned)
                {
                    return;
                }
                _cmdlineLengths[i] = read == ProcReadOutcome.Ok ? length : 0;
                _detailDone = i + 1;
            }
        }
    }
}
