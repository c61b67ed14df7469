using System.Runtime.InteropServices;

namespace Reapd.Linux;

internal static partial class Interop
{
    internal const short POLLIN = 0x001;
    internal const short POLLPRI = 0x002;
    internal const short POLLOUT = 0x004;
    internal const short POLLERR = 0x008;
    internal const short POLLHUP = 0x010;
    internal const short POLLNVAL = 0x020;

    /// <summary>struct pollfd from poll(2).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct PollFd
    {
        public int Fd;
        public short Events;
        public short REvents;
    }

    /// <summary>poll(2): waits on pidfds (POLLIN once the thread group has exited), PSI triggers (POLLPRI) and eventfds.</summary>
    [LibraryImport(Libc, SetLastError = true)]
    internal static unsafe partial int poll(PollFd* fds, nuint nfds, int timeoutMs);
}
