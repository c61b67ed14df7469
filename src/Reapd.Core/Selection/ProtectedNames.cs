using System.Text;

namespace Reapd.Core.Selection;

/// <summary>
/// Process names (comm) that are never chosen. A comm is at most 15 bytes (TASK_COMM_LEN - 1), so a longer
/// configured name is cut to 15 bytes, as the kernel cut the process's own name. Built once; lookups allocate nothing.
/// </summary>
public sealed class ProtectedNames
{
    public const int CommMaxBytes = 15;

    public static ProtectedNames Empty { get; } = new([]);

    private readonly byte[][] _names;

    public ProtectedNames(IEnumerable<string> names)
    {
        var list = new List<byte[]>();
        foreach (string name in names)
        {
            byte[] utf8 = Encoding.UTF8.GetBytes(name);
            list.Add(utf8.Length > CommMaxBytes ? utf8[..CommMaxBytes] : utf8);
        }
        _names = [.. list];
    }

    public int Count => _names.Length;

    public bool Contains(ReadOnlySpan<byte> comm)
    {
        foreach (byte[] name in _names)
        {
            if (comm.SequenceEqual(name))
            {
                return true;
            }
        }
        return false;
    }
}
