namespace Reapd.Bench;

/// <summary>
/// One reading of the sampler: the scope's available memory (MemAvailable system-wide; limit − usage of the
/// workload cgroup in quick mode) and the workload cgroup's usage, both in KiB, at a monotonic time, with the
/// machine's cumulative PSI memory stall counters (/proc/pressure/memory "total=", µs; -1 without PSI).
/// </summary>
internal readonly record struct MemorySample(double TimeS, long AvailableKiB, long WorkloadUsageKiB, long PsiSomeUs = -1, long PsiFullUs = -1);
