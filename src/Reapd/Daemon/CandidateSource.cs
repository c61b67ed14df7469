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
    private readonly int[]? _onlyPids;

    /// <param name="onlyPids">When set, scans and listings name these processes instead of the scope (the warm-up kill,
    /// <see cref="KillWarmUp"/>, scans only its own child).</param>
    public CandidateSource(string? cgroupDirectory, int[]? onlyPids = null)
    {
        _cgroupPids = cgroupDirectory is null ? null : new CgroupPidsReader(cgroupDirectory);
        _onlyPids = onlyPids;
    }

    public ProcessReader Reader => _scanner.Reader;

    public ProcessScanner Scanner => _scanner;

    /// <summary>The pids of the scope now (valid until the next listing or scan); the scanner thread reads them one by one.</summary>
    public ProcReadOutcome List(out ReadOnlySpan<int> pids)
    {
        if (_onlyPids is not null)
        {
            pids = _onlyPids;
            return ProcReadOutcome.Ok;
        }
        return _cgroupPids is null ? _scanner.TryListAll(out pids) : _cgroupPids.TryRead(out pids);
    }

    /// <summary>
    /// The ranked processes (candidates first, best first; then the excluded with their reason), and how the scan
    /// ended. Empty and ListUnreadable if the cgroup is gone.
    /// </summary>
    public ScanOutcome Scan(scoped in RankingScope scope, out ReadOnlySpan<Candidate> ranked)
    {
        if (_onlyPids is not null)
        {
            return _scanner.ScanPids(_onlyPids, scope, out ranked);
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
