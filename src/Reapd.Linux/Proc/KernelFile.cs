using System.Text;

namespace Reapd.Linux.Proc;

/// <summary>
/// Reads small kernel files into caller buffers without allocating: NUL-terminated byte paths, open/read/close
/// through libc, errno mapped to <see cref="ProcReadOutcome"/>. Also builds "ROOT/PID/leaf" paths on the stack.
/// </summary>
internal static class KernelFile
{
    /// <summary>Longest root directory accepted for a reader, so every path fits a stack buffer.</summary>
    public const int MaxRootBytes = 3072;

    public const int PathBufferBytes = 4096;

    public static byte[] RootBytes(string root)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(root.TrimEnd('/'));
        if (bytes.Length > MaxRootBytes)
        {
            throw new ArgumentException($"root directory path longer than {MaxRootBytes} bytes", nameof(root));
        }
        return bytes;
    }

    /// <summary>Writes ROOT/PID/LEAF and a NUL (leaf may be empty: ROOT/PID). Returns the length without the NUL.</summary>
    public static int PidPath(Span<byte> destination, ReadOnlySpan<byte> root, int pid, ReadOnlySpan<byte> leaf)
    {
        int at = 0;
        root.CopyTo(destination);
        at += root.Length;
        destination[at++] = (byte)'/';
        if (!pid.TryFormat(destination[at..], out int written, provider: System.Globalization.CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException("path buffer too small");
        }
        at += written;
        if (!leaf.IsEmpty)
        {
            destination[at++] = (byte)'/';
            leaf.CopyTo(destination[at..]);
            at += leaf.Length;
        }
        destination[at] = 0;
        return at;
    }

    /// <summary>Writes ROOT/LEAF and a NUL.</summary>
    public static int JoinPath(Span<byte> destination, ReadOnlySpan<byte> root, ReadOnlySpan<byte> leaf)
    {
        root.CopyTo(destination);
        int at = root.Length;
        destination[at++] = (byte)'/';
        leaf.CopyTo(destination[at..]);
        at += leaf.Length;
        destination[at] = 0;
        return at;
    }

    /// <summary>Reads the whole file at the NUL-terminated <paramref name="pathZ"/> into <paramref name="buffer"/>.</summary>
    public static unsafe ProcReadOutcome ReadAll(ReadOnlySpan<byte> pathZ, Span<byte> buffer, out int length)
    {
        length = 0;
        int fd;
        fixed (byte* path = pathZ)
        {
            fd = Interop.open(path, Interop.O_RDONLY | Interop.O_CLOEXEC);
        }
        if (fd < 0)
        {
            return FromErrno(Interop.LastErrno);
        }
        try
        {
            return ReadFrom(fd, buffer, positional: false, out length);
        }
        finally
        {
            _ = Interop.close(fd);
        }
    }

    /// <summary>
    /// Reads from <paramref name="fd"/> until end of file or a full buffer. Positional: pread from offset 0, so a
    /// kept-open /proc file shows fresh contents each time (seq_file regenerates from the start).
    /// A full buffer is reported as Malformed: the caller's buffer is too small for this file.
    /// Positional reads stop at the first short read: seq_file (fs/seq_file.c seq_read_iter) and kernfs hand out
    /// records until the caller's count is reached, so fewer bytes than asked means the whole file was read; and a
    /// further pread at a non-zero offset is not free for them: it regenerates the file from its start to find the
    /// offset (traverse()), which doubled the cost of every idle meminfo and PSI sample.
    /// </summary>
    /// <param name="untilEnd">Positional only: read on at the offset reached until a read returns nothing. For a
    /// seq_file that prints one record per node or per line (zoneinfo, vmstat), one read returns only the records that
    /// fit the kernel's own buffer, short of the caller's count though the file goes on: a single pread of vmstat gave
    /// 4,074 of its 4,202 bytes here, and zoneinfo gives one node per record.</param>
    public static unsafe ProcReadOutcome ReadFrom(int fd, Span<byte> buffer, bool positional, out int length, bool untilEnd = false)
    {
        length = 0;
        fixed (byte* start = buffer)
        {
            while (length < buffer.Length)
            {
                int asked = buffer.Length - length;
                nint got = positional
                    ? Interop.pread(fd, start + length, (nuint)asked, length)
                    : Interop.read(fd, start + length, (nuint)asked);
                if (got < 0)
                {
                    Interop.Errno errno = Interop.LastErrno;
                    if (errno == Interop.Errno.EINTR)
                    {
                        continue;
                    }
                    return FromErrno(errno);
                }
                if (got == 0)
                {
                    return ProcReadOutcome.Ok;
                }
                length += (int)got;
                if (positional && got < asked && !untilEnd)
                {
                    return ProcReadOutcome.Ok;
                }
            }
        }
        return ProcReadOutcome.Malformed;
    }

    public static ProcReadOutcome FromErrno(Interop.Errno errno) => errno switch
    {
        Interop.Errno.ENOENT or Interop.Errno.ESRCH => ProcReadOutcome.Gone,
        Interop.Errno.EACCES or Interop.Errno.EPERM => ProcReadOutcome.Denied,
        Interop.Errno.EMFILE or Interop.Errno.ENFILE => ProcReadOutcome.OutOfFileDescriptors,
        _ => ProcReadOutcome.Failed,
    };
}
