using Reapd.Core.Selection;
using Reapd.Linux.Proc;

namespace Reapd.Daemon;

/// <summary>
/// Where victims come from: every process (system scope) or the processes of one cgroup subtree. Scanned only when
/// a victim must be chosen; the arrays are kept, so a scan allocates nothing once they are large enough.
/// </summary>
internal sealed class CandidateSource
{
    private readonly ProcessScanner _scanner = new();
    private readonly CgroupPidsReader? _cgroupPids;

    public CandidateSource(string? cgroupDirectory)
    {
        _cgroupPids = cgroupDirectory is null ? null : new CgroupPidsReader(cgroupDirectory);
    }

    public ProcessReader Reader => _scanner.Reader;

    /// <summary>When set, scans list this one process instead of the scope (the warm-up kill, <see cref="KillWarmUp"/>).</summary>
    public int[]? OnlyPid { get; set; }

    /// <summary>
    /// The ranked processes (candidates first, best first; then the excluded with their reason), and how the scan
    /// ended. Empty and ListUnreadable if the cgroup is gone.
    /// </summary>
    public ScanOutcome Scan(scoped in RankingScope scope, out ReadOnlySpan<Candidate> ranked)
    {
        if (OnlyPid is not null)
        {
            return _scanner.ScanPids(OnlyPid, scope, out ranked);
        }
        if (_cgroupPids is null)
        {
            return _scanner.ScanAll(scope, out ranked);
        }
        ProcReadOutcome listed = _cgroupPids.TryRead(out ReadOnlySpan<int> pids);
        if (listed != ProcReadOutcome.Ok)
        {
            ranked = default;
            return listed == ProcReadOutcome.OutOfFileDescriptors ? ScanOutcome.OutOfFileDescriptors : ScanOutcome.ListUnreadable;
        }
        return _scanner.ScanPids(pids, scope, out ranked);
    }
}
