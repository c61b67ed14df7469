using System.Buffers.Text;

namespace Reapd.Core.Cgroups;

/// <summary>
/// Single-value cgroup files: memory.current, memory.max, memory.high, memory.swap.* (v2) and
/// memory.usage_in_bytes, memory.limit_in_bytes (v1). Pure over the bytes read, allocation-free.
/// </summary>
public static class CgroupValueParser
{
    /// <summary>
    /// At or above this a limit means "no limit": v2 writes "max", v1 writes PAGE_COUNTER_MAX pages in bytes
    /// (9223372036854771712 with 4 KiB pages; docs/kernel.md C.6), which differs with the page size but is always above 2^62.
    /// </summary>
    public const long UnlimitedBytes = 1L << 62;

    /// <summary>Parses "123\n" into bytes, and "max\n" (v2) into <see cref="long.MaxValue"/>.</summary>
    public static bool TryParseBytes(ReadOnlySpan<byte> text, out long bytes)
    {
        ReadOnlySpan<byte> trimmed = TrimEnd(text);
        if (trimmed.SequenceEqual("max"u8))
        {
            bytes = long.MaxValue;
            return true;
        }
        return Utf8Parser.TryParse(trimmed, out bytes, out int consumed) && consumed == trimmed.Length && !trimmed.IsEmpty && bytes >= 0;
    }

    /// <summary>True for a limit value that means "unlimited" (v2 "max", v1 PAGE_COUNTER_MAX).</summary>
    public static bool IsUnlimited(long limitBytes) => limitBytes >= UnlimitedBytes;

    internal static ReadOnlySpan<byte> TrimEnd(ReadOnlySpan<byte> text)
    {
        int end = text.Length;
        while (end > 0 && text[end - 1] is (byte)'\n' or (byte)' ' or (byte)'\t' or 0)
        {
            end--;
        }
        return text[..end];
    }
}
