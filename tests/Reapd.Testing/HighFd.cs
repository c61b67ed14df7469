using System.Runtime.InteropServices;

namespace Reapd.Testing;

/// <summary>
/// A file descriptor number far above what a test host has open. Linux hands out the lowest free number, so a test
/// that closes a small number and then uses it as "closed" races every other test thread that opens a file meanwhile
/// (it may get that number); a high number closed stays closed.
/// </summary>
public static class HighFd
{
    private const int F_DUPFD_CLOEXEC = 1030;
    private const int Lowest = 3000;

    /// <summary>A duplicate of <paramref name="fd"/> at a number of at least 3000; skips when the fd limit is lower.</summary>
    public static int Duplicate(int fd)
    {
        int number = fcntl(fd, F_DUPFD_CLOEXEC, Lowest);
        Assert.SkipWhen(number < 0, $"fcntl(F_DUPFD_CLOEXEC, {Lowest}) failed (errno {Marshal.GetLastPInvokeError()}): the fd limit is too low");
        return number;
    }

    /// <summary>Closes a number <see cref="Duplicate"/> gave.</summary>
    public static void Close(int number) => Assert.Equal(0, close(number));

    [DllImport("libc", SetLastError = true)]
    private static extern int fcntl(int fd, int cmd, int arg);

    [DllImport("libc", SetLastError = true)]
    private static extern int close(int fd);
}
