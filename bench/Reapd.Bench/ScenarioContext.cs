namespace Reapd.Bench;

/// <summary>
/// What a scenario needs to start its workload: the programs, the scope and its lines, the run's cgroup, and
/// <see cref="RampKiB"/>: how much the workload must allocate, from the start of the run, to reach the kill line.
/// </summary>
internal sealed record ScenarioContext(NativeBinaries Programs, BenchScope Scope, WorkloadCgroup Cgroup, MemorySampler Sampler, long RampKiB, bool Quick)
{
    /// <summary>The paced rate of the "about 1 GiB/s" hogs. Quick mode's cgroup is 48 times smaller than the machine,
    /// so its hogs go 8 times slower: the kill line is then still 200 ms before the limit, not 25 ms.</summary>
    public int RampRateMiBs => Quick ? 128 : 1024;

    /// <summary>Largest size any hog may have: below the scope's total (MemTotal or the cgroup limit + a little).</summary>
    public long CapMiB => Quick ? Scope.TotalKiB / 1024 * 2 : Scope.TotalKiB / 1024 * 9 / 10;

    public long Mib(long kib) => Math.Min(CapMiB, Math.Max(1, kib / 1024));
}
