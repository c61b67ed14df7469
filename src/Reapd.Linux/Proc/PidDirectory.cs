namespace Reapd.Linux.Proc;

/// <summary>
/// Lists the numeric entries of a /proc root (one per thread group) into a reusable array, with readdir(3) so no
/// string is made per entry. The array grows only when the machine has more processes than ever before.
/// </summary>
internal sealed class PidDirectory
{
    private readonly byte[] _rootZ;
    private int[] _pids;

    public PidDirectory(ReadOnlySpan<byte> root, int initialCapacity)
    {
        _rootZ = new byte[root.Length + 1];
        root.CopyTo(_rootZ);
        _pids = new int[Math.Max(16, initialCapacity)];
    }

    /// <summary>The pids now in the directory (valid until the next call).</summary>
    public unsafe ReadOnlySpan<int> List()
    {
        nint dir;
        fixed (byte* path = _rootZ)
        {
            dir = Interop.opendir(path);
        }
        if (dir == 0)
        {
            throw new IOException($"cannot list {System.Text.Encoding.UTF8.GetString(_rootZ.AsSpan(0, _rootZ.Length - 1))}: errno {Interop.LastErrno}");
        }
        int count = 0;
        try
        {
            nint entry;
            while ((entry = Interop.readdir(dir)) != 0)
            {
                var name = System.Runtime.InteropServices.MemoryMarshal.CreateReadOnlySpanFromNullTerminated((byte*)entry + Interop.DirentNameOffset);
                if (!TryParsePid(name, out int pid))
                {
                    continue;
                }
                if (count == _pids.Length)
                {
                    Array.Resize(ref _pids, _pids.Length * 2);
                }
                _pids[count++] = pid;
            }
        }
        finally
        {
            _ = Interop.closedir(dir);
        }
        return _pids.AsSpan(0, count);
    }

    private static bool TryParsePid(ReadOnlySpan<byte> name, out int pid)
    {
        pid = 0;
        if (name.IsEmpty || name.Length > 9)
        {
            return false;
        }
        foreach (byte b in name)
        {
            if (b < (byte)'0' || b > (byte)'9')
            {
                return false;
            }
            pid = (pid * 10) + (b - '0');
        }
        return pid > 0;
    }
}
