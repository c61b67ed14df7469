using System.Buffers.Text;

namespace Reapd.Core.Proc;

/// <summary>Allocation-free number parsing over the ASCII the kernel prints; the whole span must be the number.</summary>
internal static class Ascii
{
    public static bool TryParseInt32(ReadOnlySpan<byte> text, out int value) =>
        Utf8Parser.TryParse(text, out value, out int used) && used == text.Length;

    public static bool TryParseUInt32(ReadOnlySpan<byte> text, out uint value) =>
        Utf8Parser.TryParse(text, out value, out int used) && used == text.Length;

    public static bool TryParseInt64(ReadOnlySpan<byte> text, out long value) =>
        Utf8Parser.TryParse(text, out value, out int used) && used == text.Length;

    public static bool TryParseUInt64(ReadOnlySpan<byte> text, out ulong value) =>
        Utf8Parser.TryParse(text, out value, out int used) && used == text.Length;

    public static bool TryParseDouble(ReadOnlySpan<byte> text, out double value) =>
        Utf8Parser.TryParse(text, out value, out int used) && used == text.Length;

    /// <summary>Splits "Key:   value rest" lines: the key before ':' and the value with blanks trimmed.</summary>
    public static bool TrySplitKeyValue(ReadOnlySpan<byte> line, out ReadOnlySpan<byte> key, out ReadOnlySpan<byte> value)
    {
        int colon = line.IndexOf((byte)':');
        if (colon < 0)
        {
            key = default;
            value = default;
            return false;
        }
        key = line[..colon];
        value = line[(colon + 1)..].Trim(" \t"u8);
        return true;
    }

    /// <summary>A "1234 kB" value as KiB. A size is never negative (the kernel prints these with %lu); "-5 kB" is malformed.</summary>
    public static bool TryParseKiB(ReadOnlySpan<byte> value, out long kib)
    {
        if (value.EndsWith(" kB"u8))
        {
            value = value[..^3].TrimEnd((byte)' ');
        }
        return TryParseInt64(value, out kib) && kib >= 0;
    }

    /// <summary>Returns the next line of text (without its '\n') and advances past it.</summary>
    public static ReadOnlySpan<byte> NextLine(scoped ref ReadOnlySpan<byte> text)
    {
        int end = text.IndexOf((byte)'\n');
        ReadOnlySpan<byte> line;
        if (end < 0)
        {
            line = text;
            text = [];
        }
        else
        {
            line = text[..end];
            text = text[(end + 1)..];
        }
        return line;
    }
}
