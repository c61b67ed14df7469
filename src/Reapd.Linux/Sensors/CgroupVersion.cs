namespace Reapd.Linux.Sensors;

public enum CgroupVersion
{
    /// <summary>cgroup v1 memory controller (memory.usage_in_bytes, memory.limit_in_bytes; docs/kernel.md C.6).</summary>
    V1,
    /// <summary>cgroup v2 with the memory controller (memory.current, memory.max; docs/kernel.md C.7).</summary>
    V2,
}
