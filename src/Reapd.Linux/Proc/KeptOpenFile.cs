using System.Text;

namespace Reapd.Linux.Proc;

/// <summary>
/// A kernel file opened once and re-read with pread at offset 0 into a preallocated buffer, so that a warm read
/// allocates nothing (DESIGN.md: sensors keep their files open). Not thread-safe: one reader per thread.
/// A file whose size depends on the machine (zoneinfo lists every zone of every node, with a block per CPU) is opened
/// with a small buffer and a larger limit: a read that fills the buffer doubles it, up to the limit, and reads again.
/// So the buffer takes the file's size at the first read (the daemon's is before its memory is locked) instead of the
/// largest machine's, and grows again only when the file does (CPUs or memory brought online).
/// </summary>
internal sealed class KeptOpenFile : IDisposable
{
    private readonly KernelFileHandle _handle;
    private readonly int _maxBufferBytes;
    private readonly bool _readToEnd;
    private byte[] _buffer;

    private KeptOpenFile(KernelFileHandle handle, int bufferBytes, int maxBufferBytes, bool readToEnd, string path)
    {
        _handle = handle;
        _buffer = new byte[bufferBytes];
        _maxBufferBytes = Math.Max(bufferBytes, maxBufferBytes);
        _readToEnd = readToEnd;
        Path = path;
    }

    /// <summary>The buffer's size now (bytes): the opening size, or what reads of a larger file grew it to.</summary>
    public int BufferBytes => _buffer.Length;

    public string Path { get; }

    /// <summary>The fd, for a caller that also polls it (see CgroupEventsWatch); -1 once disposed.</summary>
    public int Fd => _handle.IsClosed ? -1 : _handle.Fd;

    /// <param name="maxBufferBytes">How far reads may grow the buffer (0: never past <paramref name="bufferBytes"/>); a
    /// file larger than that reads as Malformed, as one larger than a fixed buffer does.</param>
    /// <param name="readToEnd">Read until a read returns nothing, not only until a short read: for a file of several
    /// seq_file records (KernelFile.ReadFrom's untilEnd), at the cost of one more read, which regenerates the file.</param>
    public static unsafe ProcReadOutcome TryOpen(string path, int bufferBytes, out KeptOpenFile? file, int maxBufferBytes = 0, bool readToEnd = false)
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
        file = new KeptOpenFile(new KernelFileHandle(fd), bufferBytes, maxBufferBytes, readToEnd, path);
        return ProcReadOutcome.Ok;
    }

    /// <summary>The file's current contents (valid until the next read), or an outcome other than Ok.</summary>
    public ProcReadOutcome Read(out ReadOnlySpan<byte> contents)
    {
        bool added = false;
        try
        {
            _handle.DangerousAddRef(ref added);
            ProcReadOutcome outcome = KernelFile.ReadFrom(_handle.Fd, _buffer, positional: true, out int length, _readToEnd);
            // A full buffer (Malformed) may only mean the file is larger than the buffer is yet. Growing allocates:
            // at the first read (before the daemon locks its memory), or when the file grew (CPUs brought online).
            while (outcome == ProcReadOutcome.Malformed && _buffer.Length < _maxBufferBytes)
            {
                try
                {
                    _buffer = new byte[(int)Math.Min((long)_buffer.Length * 2, _maxBufferBytes)];
                }
                catch (OutOfMemoryException)
                {
                    break; // Malformed: the caller goes without this file, as for one too large
                }
                outcome = KernelFile.ReadFrom(_handle.Fd, _buffer, positional: true, out length, _readToEnd);
            }
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
