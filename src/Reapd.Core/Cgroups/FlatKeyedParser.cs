using System.Buffers.Text;

namespace Reapd.Core.Cgroups;

/// <summary>
/// The cgroup "flat keyed" format, one "key value" pair a line: memory.stat and memory.events (v2), memory.stat and
/// memory.oom_control (v1). Finds one key's value without allocating. The key must match a whole first token, so
/// "inactive_file" does not match "total_inactive_file".
/// </summary>
public static class FlatKeyedParser
{
    public static bool TryGet(ReadOnlySpan<byte> text, ReadOnlySpan<byte> key, out long value)
    {
        value = 0;
        while (!text.IsEmpty)
        {
            int newline = text.IndexOf((byte)'\n');
            ReadOnlySpan<byte> line = newline < 0 ? text : text[..newline];
            text = newline < 0 ? default : text[(newline + 1)..];
            if (line.Length > key.Length && line[key.Length] == (byte)' ' && line.StartsWith(key))
            {
                ReadOnlySpan<byte> number = CgroupValueParser.TrimEnd(line[(key.Length + 1)..]);
                return Utf8Parser.TryParse(number, out value, out int consumed) && consumed == number.Length && consumed > 0;
            }
        }
        return false;
    }
}
