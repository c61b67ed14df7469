namespace Reapd.Linux.Proc;

/// <summary>
/// Lists the numeric entries of a directory (a /proc root: one per thread group; or ROOT/PID/task: one per thread)
/// into a reusable array, with readdir(3) so no string is made per entry. The array grows only when the directory has
/// more entries than ever before. A directory that cannot be opened is an outcome (ENOENT: the process is gone;
/// EMFILE/ENFILE: out of file descriptors), never an exception.
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

    /// <summary>The pids now in the root directory (valid until the next call).</summary>
    public ProcReadOutcome TryList(out ReadOnlySpan<int> pids) => TryListAt(_rootZ, out pids);

    /// <summary>The numeric entries of the directory at the NUL-terminated <paramref name="pathZ"/> (valid until the next call).</summary>
    public unsafe ProcReadOutcome TryListAt(ReadOnlySpan<byte> pathZ, out ReadOnlySpan<int> pids)
    {
        pids = default;
        nint dir;
        fixed (byte* path = pathZ)
        {
            dir = Interop.opendir(path);
        }
        if (dir == 0)
        {
            return KernelFile.FromErrno(Interop.LastErrno);
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
        pids = _pids.AsSpan(0, count);
        return ProcReadOutcome.Ok;
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
