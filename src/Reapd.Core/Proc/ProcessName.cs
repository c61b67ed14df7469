using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Text;

namespace Reapd.Core.Proc;

/// <summary>
/// A process's comm as the kernel prints it in /proc/PID/stat, kept inline so a scan allocates nothing. The kernel
/// limits a task's comm to 15 bytes (TASK_COMM_LEN - 1), but /proc prints longer names for some kernel threads
/// (fs/proc/array.c proc_task_name: workqueue workers), so 64 bytes are kept and the rest is cut off.
/// The bytes are raw: they may hold spaces, parentheses, newlines and invalid UTF-8.
/// </summary>
public struct ProcessName
{
    public const int CapacityBytes = 64;

    [InlineArray(CapacityBytes)]
    private struct Buffer
    {
        private byte _element0;
    }

    private Buffer _bytes;
    private byte _length;

    public ProcessName(ReadOnlySpan<byte> utf8)
    {
        int length = Math.Min(utf8.Length, CapacityBytes);
        utf8[..length].CopyTo(_bytes);
        _length = (byte)length;
    }

    public readonly int Length => _length;

    [UnscopedRef]
    public readonly ReadOnlySpan<byte> Utf8 => ((ReadOnlySpan<byte>)_bytes)[.._length];

    public readonly bool Equals(ReadOnlySpan<byte> utf8) => Utf8.SequenceEqual(utf8);

    /// <summary>The name as text (allocates: for output, not for the scan).</summary>
    public override readonly string ToString() => Encoding.UTF8.GetString(Utf8);

    /// <summary>
    /// The name for a one-line display: control characters escaped the way /proc/PID/status escapes them
    /// (a newline becomes "\n", fs/proc/array.c uses seq_escape_str with "\n\\"), so a hostile name cannot forge lines.
    /// </summary>
    public readonly string ToDisplayString()
    {
        var text = new StringBuilder(_length);
        foreach (char c in ToString())
        {
            switch (c)
            {
                case '\n':
                    text.Append("\\n");
                    break;
                case '\\':
                    text.Append("\\\\");
                    break;
                case < ' ' or '\u007f':
                    text.Append("\\x").Append(((int)c).ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
                    break;
                default:
                    text.Append(c);
                    break;
            }
        }
        return text.ToString();
    }
}
