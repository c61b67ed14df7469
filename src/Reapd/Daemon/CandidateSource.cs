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

    /// <summary>The ranked processes (candidates first, best first; then the excluded with their reason). Empty if the cgroup is gone.</summary>
    public ReadOnlySpan<Candidate> Scan(in RankingScope scope)
    {
        if (_cgroupPids is null)
        {
            return _scanner.ScanAll(scope);
        }
        return _cgroupPids.TryRead(out ReadOnlySpan<int> pids) == ProcReadOutcome.Ok ? _scanner.ScanPids(pids, scope) : default;
    }
}
