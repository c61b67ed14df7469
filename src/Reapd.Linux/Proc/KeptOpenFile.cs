using System.Text;

namespace Reapd.Linux.Proc;

/// <summary>
/// A kernel file opened once and re-read with pread at offset 0 into a preallocated buffer, so that a warm read
/// allocates nothing (DESIGN.md: sensors keep their files open). Not thread-safe: one reader per thread.
/// </summary>
internal sealed class KeptOpenFile : IDisposable
{
    private readonly KernelFileHandle _handle;
    private readonly byte[] _buffer;

    private KeptOpenFile(KernelFileHandle handle, int bufferBytes, string path)
    {
        _handle = handle;
        _buffer = new byte[bufferBytes];
        Path = path;
    }

    public string Path { get; }

    /// <summary>The fd, for a caller that also polls it (see CgroupEventsWatch); -1 once disposed.</summary>
    public int Fd => _handle.IsClosed ? -1 : _handle.Fd;

    public static unsafe ProcReadOutcome TryOpen(string path, int bufferBytes, out KeptOpenFile? file)
    {
        file = null;
        byte[] pathZ = Encoding.UTF8.GetBytes(path + "\0");
        int fd;
        fixed (byte* p = pathZ)
        {
            fd = Interop.open(p, Interop.O_RDONLY | Interop.O_CLOEXEC);
        }
        if (fd < 0)
        {
            return KernelFile.FromErrno(Interop.LastErrno);
        }
        file = new KeptOpenFile(new KernelFileHandle(fd), bufferBytes, path);
        return ProcReadOutcome.Ok;
    }

    /// <summary>The file's current contents (valid until the next read), or an outcome other than Ok.</summary>
    public ProcReadOutcome Read(out ReadOnlySpan<byte> contents)
    {
        bool added = false;
        try
        {
            _handle.DangerousAddRef(ref added);
            ProcReadOutcome outcome = KernelFile.ReadFrom(_handle.Fd, _buffer, positional: true, out int length);
            contents = outcome == ProcReadOutcome.Ok ? _buffer.AsSpan(0, length) : default;
            return outcome;
        }
        finally
        {
            if (added)
            {
                _handle.DangerousRelease();
            }
        }
    }

    public void Dispose() => _handle.Dispose();
}
