namespace Reapd.Core.Proc;

/// <summary>cgroup.procs: one pid per line (kernel/cgroup/cgroup.c cgroup_procs_show).</summary>
public static class CgroupProcsParser
{
    /// <summary>
    /// Appends the pids in <paramref name="text"/> to <paramref name="destination"/> from index <paramref name="count"/>
    /// on. Returns false on a malformed line or when the destination is full (count then says how many fit).
    /// </summary>
    public static bool TryAppend(ReadOnlySpan<byte> text, Span<int> destination, ref int count)
    {
        while (!text.IsEmpty)
        {
            ReadOnlySpan<byte> line = Ascii.NextLine(ref text).Trim((byte)' ');
            if (line.IsEmpty)
            {
                continue;
            }
            if (!Ascii.TryParseInt32(line, out int pid) || pid <= 0 || count >= destination.Length)
            {
                return false;
            }
            destination[count++] = pid;
        }
        return true;
    }
}
