using System.Text;

namespace Reapd.Linux.Proc;

/// <summary>
/// A small file replaced atomically: written whole to NAME.tmp (mode 0600, O_NOFOLLOW, so a planted symlink is not
/// written through), then renamed over NAME. The paths are encoded once; <see cref="Replace"/> and
/// <see cref="Delete"/> allocate nothing, so the daemon's loop can call them on a kill. Owns no fd between calls.
/// </summary>
public sealed unsafe class AtomicSmallFile
{
    private readonly byte[] _pathZ;
    private readonly byte[] _temporaryPathZ;

    public AtomicSmallFile(string path)
    {
        Path = path;
        _pathZ = Encoding.UTF8.GetBytes(path + "\0");
        _temporaryPathZ = Encoding.UTF8.GetBytes(path + ".tmp\0");
    }

    public string Path { get; }

    /// <summary>Writes <paramref name="content"/> as the file's whole new content. 0, or the errno of the step that failed.</summary>
    public int Replace(ReadOnlySpan<byte> content)
    {
        fixed (byte* temporary = _temporaryPathZ)
        fixed (byte* path = _pathZ)
        fixed (byte* bytes = content)
        {
            int fd = Interop.open_create(temporary, Interop.O_WRONLY | Interop.O_CREAT | Interop.O_TRUNC | Interop.O_CLOEXEC | Interop.O_NOFOLLOW, 0x180);
            if (fd < 0)
            {
                return (int)Interop.LastErrno;
            }
            nint written = Interop.write(fd, bytes, (nuint)content.Length);
            int errno = written == content.Length ? 0 : written < 0 ? (int)Interop.LastErrno : 28 /* ENOSPC: a short write */;
            _ = Interop.close(fd);
            if (errno == 0 && Interop.rename(temporary, path) != 0)
            {
                errno = (int)Interop.LastErrno;
            }
            if (errno != 0)
            {
                _ = Interop.unlink(temporary);
            }
            return errno;
        }
    }

    /// <summary>Removes the file; 0 when it is gone (or was never there), else the errno.</summary>
    public int Delete()
    {
        fixed (byte* path = _pathZ)
        {
            return Interop.unlink(path) == 0 || Interop.LastErrno == Interop.Errno.ENOENT ? 0 : (int)Interop.LastErrno;
        }
    }
}
