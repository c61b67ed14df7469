using System.Text;

namespace Reapd.Core.Proc;

/// <summary>
/// /proc/PID/cmdline: the arguments, each followed by a NUL. Empty for kernel threads and zombies (docs/kernel.md C.8);
/// a process may rewrite it, so it is only for display, never for identity.
/// </summary>
public static class CmdlineParser
{
    public static int CountArguments(ReadOnlySpan<byte> raw)
    {
        if (raw.IsEmpty)
        {
            return 0;
        }
        int count = raw.Count((byte)0);
        return raw[^1] == 0 ? count : count + 1;
    }

    /// <summary>The first argument (argv[0]), without its NUL.</summary>
    public static ReadOnlySpan<byte> FirstArgument(ReadOnlySpan<byte> raw)
    {
        int end = raw.IndexOf((byte)0);
        return end < 0 ? raw : raw[..end];
    }

    /// <summary>The arguments joined with spaces, for display (allocates).</summary>
    public static string ToDisplayString(ReadOnlySpan<byte> raw)
    {
        if (!raw.IsEmpty && raw[^1] == 0)
        {
            raw = raw[..^1];
        }
        return Encoding.UTF8.GetString(raw).Replace('\0', ' ').ReplaceLineEndings(" ");
    }
}
