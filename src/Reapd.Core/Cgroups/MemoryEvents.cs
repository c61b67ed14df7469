namespace Reapd.Core.Cgroups;

/// <summary>
/// The counters of a cgroup v2 memory.events file (hierarchical: the group and its descendants). Every change of one
/// of them is a kernfs notification (see docs/platforms.md): high (throttled over memory.high), max (hit memory.max),
/// oom (the charge failed: the memcg OOM path started), oom_kill (the kernel killed a process here),
/// oom_group_kill (it killed a whole memory.oom.group). A counter the kernel does not write reads as 0.
/// </summary>
public readonly record struct MemoryEvents(long Low, long High, long Max, long Oom, long OomKill, long OomGroupKill)
{
    /// <summary>Parses the file's text without allocating; false when a key every v2 kernel writes (max, oom, oom_kill) is missing.</summary>
    public static bool TryParse(ReadOnlySpan<byte> text, out MemoryEvents events)
    {
        _ = FlatKeyedParser.TryGet(text, "low"u8, out long low);
        _ = FlatKeyedParser.TryGet(text, "high"u8, out long high);
        _ = FlatKeyedParser.TryGet(text, "oom_group_kill"u8, out long groupKill);
        bool ok = FlatKeyedParser.TryGet(text, "max"u8, out long max)
            & FlatKeyedParser.TryGet(text, "oom"u8, out long oom)
            & FlatKeyedParser.TryGet(text, "oom_kill"u8, out long kill);
        events = new MemoryEvents(low, high, max, oom, kill, groupKill);
        return ok;
    }
}
