using System.Text;

namespace Reapd.Linux.Sensors;

/// <summary>Opening a kernel control file and writing one command to it, with errno as the result (setup paths only: these allocate).</summary>
internal static class KernelTextFile
{
    /// <summary>open(2) with O_CLOEXEC added; the fd, or -1 with <paramref name="errno"/>.</summary>
    public static unsafe int Open(string path, int flags, out int errno)
    {
        byte[] pathZ = Encoding.UTF8.GetBytes(path + "\0");
        int fd;
        fixed (byte* p = pathZ)
        {
            fd = Interop.open(p, flags | Interop.O_CLOEXEC);
        }
        errno = fd < 0 ? (int)Interop.LastErrno : 0;
        return fd;
    }

    /// <summary>One write(2) of the whole text; 0 or the errno.</summary>
    public static unsafe int Write(int fd, string text)
    {
        byte[] bytes = Encoding.ASCII.GetBytes(text);
        fixed (byte* p = bytes)
        {
            return Interop.write(fd, p, (nuint)bytes.Length) == bytes.Length ? 0 : (int)Interop.LastErrno;
        }
    }
}
