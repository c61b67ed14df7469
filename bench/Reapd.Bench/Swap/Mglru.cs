using System.Globalization;

namespace Reapd.Bench.Swap;

/// <summary>
/// No daemon: the kernel's own thrashing prevention. With the multi-generational LRU on (Debian's 6.12 default),
/// /sys/kernel/mm/lru_gen/min_ttl_ms = N keeps the working set of the last N ms from being evicted and, when it
/// cannot, makes the kernel's OOM killer act (Documentation/admin-guide/mm/multigen_lru.rst suggests 1000 ms for a
/// desktop). Set for the run, back to 0 (off, the default) after it.
/// </summary>
internal sealed class Mglru : Daemon
{
    public const string Enabled = "/sys/kernel/mm/lru_gen/enabled";
    public const string MinTtl = "/sys/kernel/mm/lru_gen/min_ttl_ms";
    public const int MinTtlMs = 1000;

    public override string Name => "mglru";

    public override bool HasCgroupScope => true;

    /// <summary>Why MGLRU's min_ttl_ms cannot be used here, or null.</summary>
    public static string? Missing() =>
        !File.Exists(MinTtl) ? "this kernel has no MGLRU (CONFIG_LRU_GEN; /sys/kernel/mm/lru_gen/min_ttl_ms)"
        : !IsOn(ProcFiles.TryRead(Enabled)) ? "MGLRU is off here (/sys/kernel/mm/lru_gen/enabled is 0x0000)"
        : null;

    /// <summary>enabled reads as a hex mask (0x0007); any core bit set means on.</summary>
    public static bool IsOn(string? enabled) =>
        enabled is not null && int.TryParse(enabled.Trim().Replace("0x", "", StringComparison.Ordinal), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out int mask) && (mask & 1) != 0;

    protected override (string, string[], Func<string, bool>) Command(BenchScope scope, WorkloadCgroup cgroup, string workDir) =>
        throw new InvalidOperationException("MGLRU is the kernel's; nothing is started");

    public override ChildProcess? Start(BenchScope scope, WorkloadCgroup cgroup, string workDir)
    {
        File.WriteAllText(MinTtl, MinTtlMs.ToString(CultureInfo.InvariantCulture));
        return null;
    }

    public override void AfterStop() => File.WriteAllText(MinTtl, "0");
}
