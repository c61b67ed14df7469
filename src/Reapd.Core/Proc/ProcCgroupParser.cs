namespace Reapd.Core.Proc;

/// <summary>
/// /proc/PID/cgroup: "hierarchy-ID:controller-list:path" lines. On a hybrid system "4:memory:/a/b" is the v1 memory
/// cgroup and "0::/a" the cgroup2 one (docs/kernel.md C.8).
/// </summary>
public static class ProcCgroupParser
{
    /// <summary>The path of the v1 hierarchy whose controller list contains <paramref name="controller"/>.</summary>
    public static bool TryFindV1(ReadOnlySpan<byte> text, ReadOnlySpan<byte> controller, out ReadOnlySpan<byte> path)
    {
        while (!text.IsEmpty)
        {
            ReadOnlySpan<byte> line = Ascii.NextLine(ref text);
            int first = line.IndexOf((byte)':');
            if (first < 0)
            {
                continue;
            }
            ReadOnlySpan<byte> afterId = line[(first + 1)..];
            int second = afterId.IndexOf((byte)':');
            if (second <= 0)
            {
                continue;
            }
            ReadOnlySpan<byte> controllers = afterId[..second];
            foreach (Range part in controllers.Split((byte)','))
            {
                if (controllers[part].SequenceEqual(controller))
                {
                    path = afterId[(second + 1)..];
                    return true;
                }
            }
        }
        path = default;
        return false;
    }

    /// <summary>The cgroup2 path (the "0::" line).</summary>
    public static bool TryFindUnified(ReadOnlySpan<byte> text, out ReadOnlySpan<byte> path)
    {
        while (!text.IsEmpty)
        {
            ReadOnlySpan<byte> line = Ascii.NextLine(ref text);
            if (line.StartsWith("0::"u8))
            {
                path = line[3..];
                return true;
            }
        }
        path = default;
        return false;
    }
}
