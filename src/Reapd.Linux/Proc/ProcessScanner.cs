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
    private Candidate[] _candidates;

    public ProcessScanner(string procRoot = "/proc", int initialCapacity = 1024)
    {
        _reader = new ProcessReader(procRoot);
        _directory = new PidDirectory(_reader.RootBytes, initialCapacity);
        _candidates = new Candidate[Math.Max(16, initialCapacity)];
    }

    public ProcessReader Reader => _reader;

    /// <summary>Every process under the root, ranked.</summary>
    public ReadOnlySpan<Candidate> ScanAll(scoped in RankingScope scope) => ScanPids(_directory.List(), scope);

    /// <summary>Only these pids (e.g. one cgroup's), ranked.</summary>
    public ReadOnlySpan<Candidate> ScanPids(ReadOnlySpan<int> pids, scoped in RankingScope scope)
    {
        if (_candidates.Length < pids.Length)
        {
            _candidates = new Candidate[Math.Max(pids.Length, _candidates.Length * 2)];
        }
        int count = 0;
        foreach (int pid in pids)
        {
            if (TryRead(pid, scope, out _candidates[count]) == ProcReadOutcome.Ok)
            {
                count++;
            }
        }
        Span<Candidate> result = _candidates.AsSpan(0, count);
        CandidateRanking.Sort(result);
        return result;
    }

    /// <summary>
    /// One process's record. Gone when it vanished (at any of the three reads); a kernel thread's status is not
    /// read (it has no mm).
    /// </summary>
    public ProcReadOutcome TryRead(int pid, in RankingScope scope, out Candidate candidate)
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
            outcome = _reader.TryReadStatus(pid, out status);
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
        CandidateClassifier.Fill(ref candidate, stat, status, adj, scope);
        return ProcReadOutcome.Ok;
    }
}
