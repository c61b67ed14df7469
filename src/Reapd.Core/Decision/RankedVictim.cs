using Reapd.Core.Daemon;
using Reapd.Core.Selection;

namespace Reapd.Core.Decision;

/// <summary>
/// What the core needs of one ranked candidate: its identity, what its kill gives back (<see cref="HeldBytes"/>)
/// and how much of its memory is shmem, which process_mrelease does not free. The actuator passes the candidates
/// only (never the excluded processes), best first.
/// </summary>
public readonly record struct RankedVictim(VictimId Id, long HeldBytes, long ShmemBytes)
{
    /// <summary>
    /// The one measure of what a victim holds, for the settle gate's shmem rule and the retarget's "is it giving
    /// memory back": anonymous memory, swap and page tables — what its exit or reap frees (docs/daemon.md).
    /// </summary>
    public static RankedVictim From(in Candidate candidate) => new(
        new VictimId(candidate.Pid, candidate.StartTimeTicks),
        (candidate.RssAnonKiB + candidate.SwapKiB + candidate.PageTablesKiB) * 1024,
        candidate.RssShmemKiB * 1024);
}
