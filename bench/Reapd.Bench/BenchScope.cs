namespace Reapd.Bench;

/// <summary>
/// What the OOM killers guard in a run and where their lines are: the whole machine (MemTotal, MemAvailable) or,
/// in quick mode, the workload's memory cgroup (its limit, limit − usage). The lines are the same for every daemon:
/// SIGTERM below <see cref="TermPercent"/> %, SIGKILL below <see cref="KillPercent"/> % of the total.
/// </summary>
internal sealed record BenchScope(bool IsCgroup, long TotalKiB)
{
    public const int TermPercent = 10;
    public const int KillPercent = 5;

    public long TermLineKiB => TotalKiB * TermPercent / 100;

    public long KillLineKiB => TotalKiB * KillPercent / 100;

    public string Describe => IsCgroup
        ? $"memory cgroup with a {TotalKiB / 1024} MiB limit (available = limit − usage)"
        : $"whole machine, MemTotal {TotalKiB / 1024} MiB (available = MemAvailable)";
}
