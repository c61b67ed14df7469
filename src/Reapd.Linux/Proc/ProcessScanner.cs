using Reapd.Core.Policy;
using Reapd.Core.Proc;
using Reapd.Core.Selection;

namespace Reapd.Linux.Proc;

/// <summary>
/// Scans processes into preallocated <see cref="Candidate"/> records and ranks them (highest badness first, then the
/// excluded ones with their reason): every process under the /proc root, or only the given pids (those of one
/// cgroup tree, from <see cref="CgroupPidsReader"/>). A process that vanishes mid-scan is left out. Once the arrays
/// are large enough a scan allocates nothing. The returned span is valid until the next scan. Not thread-safe.
/// </summary>
public sealed class ProcessScanner
{
    private readonly ProcessReader _reader;
    private readonly PidDirectory _directory;
    private readonly int _initialCapacity;
    private Candidate[]? _candidates;
    private ProcessAttributesReader? _attributes;

    /// <param name="initialCapacity">Candidates the first scan makes room for (some 210 bytes each). The array is
    /// allocated by that scan, not here: the daemon's loop keeps a scanner for its reader alone while its scans run on a
    /// scanner thread, and 1,024 unused candidates were 215 KiB of its locked heap.</param>
    public ProcessScanner(string procRoot = "/proc", int initialCapacity = 1024)
    {
        _reader = new ProcessReader(procRoot);
        _directory = new PidDirectory(_reader.RootBytes, initialCapacity);
        _initialCapacity = Math.Max(16, initialCapacity);
    }

    public ProcessReader Reader => _reader;

    /// <summary>The thread groups now under the root (valid until the next listing or scan of this scanner).</summary>
    public ProcReadOutcome TryListAll(out ReadOnlySpan<int> pids) => _directory.TryList(out pids);

    /// <summary>Every process under the root, ranked. Out of file descriptors is an outcome, never an exception.</summary>
    public ScanOutcome ScanAll(scoped in RankingScope scope, out ReadOnlySpan<Candidate> ranked)
    {
        ProcReadOutcome listed = _directory.TryList(out ReadOnlySpan<int> pids);
        if (listed != ProcReadOutcome.Ok)
        {
            ranked = default;
            return listed == ProcReadOutcome.OutOfFileDescriptors ? ScanOutcome.OutOfFileDescriptors : ScanOutcome.ListUnreadable;
        }
        return ScanPids(pids, scope, out ranked);
    }

    /// <summary>Only these pids (e.g. one cgroup's), ranked. Stops at the first EMFILE/ENFILE and says so.</summary>
    public ScanOutcome ScanPids(ReadOnlySpan<int> pids, scoped in RankingScope scope, out ReadOnlySpan<Candidate> ranked)
    {
        _candidates ??= new Candidate[Math.Max(pids.Length, _initialCapacity)];
        if (_candidates.Length < pids.Length)
        {
            _candidates = new Candidate[Math.Max(pids.Length, _candidates.Length * 2)];
        }
        int count = 0;
        ScanOutcome outcome = ScanOutcome.Complete;
        foreach (int pid in pids)
        {
            ProcReadOutcome read = TryRead(pid, scope, out _candidates[count]);
            if (read == ProcReadOutcome.Ok)
            {
                count++;
            }
            else if (read == ProcReadOutcome.OutOfFileDescriptors)
            {
                // Every further open fails the same way: leaving all of them out silently would rank a fraction.
                outcome = ScanOutcome.OutOfFileDescriptors;
                break;
            }
        }
        Span<Candidate> result = _candidates.AsSpan(0, count);
        CandidateRanking.Sort(result);
        ranked = result;
        return outcome;
    }

    /// <summary>
    /// One process's record. Gone when it vanished (at any of the three reads); a kernel thread's status is not
    /// read (it has no mm). With rules in the scope, what they need is read too (<see cref="ProcessAttributesReader"/>).
    /// </summary>
    public ProcReadOutcome TryRead(int pid, in RankingScope scope, out Candidate candidate) =>
        TryRead(pid, scope, deferCmdline: false, out candidate);

    /// <summary>
    /// As above; with <paramref name="deferCmdline"/>, the command line — the one read a rule can need that waits on the
    /// process's mmap lock (docs/kernel.md E.1) — is not read: the rules are applied without it and, where one of them
    /// looks at it and could still change the outcome, the record says so (<see cref="Candidate.RulesPending"/>); a
    /// second read without deferring completes it.
    /// </summary>
    public ProcReadOutcome TryRead(int pid, in RankingScope scope, bool deferCmdline, out Candidate candidate)
    {
        candidate = default;
        ProcReadOutcome outcome = _reader.TryReadStat(pid, out ProcStat stat);
        if (outcome != ProcReadOutcome.Ok)
        {
            return outcome;
        }
        ProcStatus status = default;
        int adj = 0;
        if (!stat.IsKernelThread)
        {
            // Ranked by the mm, as the kernel does: a process whose main thread exited while other threads hold its
            // memory is read through one of those threads.
            outcome = _reader.TryReadMemoryStatus(pid, stat.NumThreads, out status, out _);
            if (outcome != ProcReadOutcome.Ok)
            {
                return outcome;
            }
            outcome = _reader.TryReadOomScoreAdj(pid, out adj);
            if (outcome != ProcReadOutcome.Ok)
            {
                return outcome;
            }
        }
        if (scope.Rules.IsEmpty)
        {
            CandidateClassifier.Fill(ref candidate, stat, status, adj, scope);
            return ProcReadOutcome.Ok;
        }
        // Rules: the extra attributes they need (and only those), read after the figures so a process that vanished
        // already was left out above. Buffers allocated on the first scan with rules, then reused.
        _attributes ??= new ProcessAttributesReader(_reader);
        RuleInputs needs = scope.Rules.Needs;
        bool deferred = deferCmdline && (needs & RuleInputs.Cmdline) != 0 && !stat.IsKernelThread;
        if (deferred)
        {
            needs &= ~RuleInputs.Cmdline;
        }
        CandidateClassifier.Fill(ref candidate, stat, status, adj, scope, _attributes.Read(pid, stat, status, needs));
        // Fill marks the record when a rule was left undecided by an input that was not read; only the deferred
        // command line is worth a second read (an unreadable exe or cgroup would read the same again).
        candidate.RulesPending &= deferred;
        return ProcReadOutcome.Ok;
    }
}
