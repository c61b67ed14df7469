using System.Text;

namespace Reapd.Core.Replay;

/// <summary>
/// The file a recording is: "REAPDREC", a version byte, the header (a varint length, then UTF-8 "key=value" lines:
/// format, scope, boot id, kernel, segment, the configuration) and the records (<see cref="RecordEncoder"/>).
/// </summary>
public static class RecordFormat
{
    public const byte Version = 1;

    public static ReadOnlySpan<byte> Magic => "REAPDREC"u8;

    /// <summary>The file's first bytes for this header (allocates: once per file).</summary>
    public static byte[] Header(IEnumerable<KeyValuePair<string, string>> fields)
    {
        ArgumentNullException.ThrowIfNull(fields);
        var text = new StringBuilder();
        foreach (KeyValuePair<string, string> field in fields)
        {
            if (field.Key.Contains('=', StringComparison.Ordinal) || field.Key.Contains('\n', StringComparison.Ordinal) || field.Value.Contains('\n', StringComparison.Ordinal))
            {
                throw new ArgumentException($"header field '{field.Key}' cannot hold '=' in its key or a newline", nameof(fields));
            }
            text.Append(field.Key).Append('=').Append(field.Value).Append('\n');
        }
        byte[] body = Encoding.UTF8.GetBytes(text.ToString());
        Span<byte> length = stackalloc byte[10];
        int lengthBytes = RecordEncoder.WriteVarint(length, (ulong)body.Length);
        return [.. Magic, Version, .. length[..lengthBytes], .. body];
    }
}
