using System.Runtime.InteropServices;

namespace Reapd.Bench;

/// <summary>The few libc calls the runner needs beyond System.Diagnostics.Process.</summary>
internal static partial class Libc
{
    public const int SIGINT = 2;
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;
    public const int SIGSTOP = 19;
    private const int _SC_CLK_TCK = 2;

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int sig);

    [LibraryImport("libc")]
    private static partial long sysconf(int name);

    public const int O_RDONLY = 0;
    public const int O_WRONLY = 1;
    public const int O_TRUNC = 0x200;
    public const int O_NONBLOCK = 0x800;
    public const int SEEK_END = 2;

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int open(string path, int flags);

    [LibraryImport("libc", SetLastError = true)]
    public static unsafe partial nint read(int fd, byte* buffer, nint count);

    [LibraryImport("libc", SetLastError = true)]
    public static partial long lseek(int fd, long offset, int whence);

    [LibraryImport("libc")]
    public static partial int close(int fd);

    /// <summary>Sends a signal by pid; false when the process is already gone (ESRCH) or not permitted.</summary>
    public static bool Kill(int pid, int signal) => pid > 1 && kill(pid, signal) == 0;

    /// <summary>Clock ticks per second of utime/stime in /proc/PID/stat.</summary>
    public static long ClockTicksPerSecond => sysconf(_SC_CLK_TCK);
}
