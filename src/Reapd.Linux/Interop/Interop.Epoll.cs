using System.Runtime.InteropServices;

namespace Reapd.Linux;

internal static partial class Interop
{
    internal const int EPOLL_CLOEXEC = 0x80000;
    internal const int EPOLL_CTL_ADD = 1;
    internal const int EPOLL_CTL_DEL = 2;
    internal const int EPOLL_CTL_MOD = 3;

    // The event bits share poll's values (EPOLLIN = POLLIN, EPOLLPRI, EPOLLERR, EPOLLHUP: include/uapi/linux/eventpoll.h).

    /// <summary>
    /// Bytes of one struct epoll_event: { u32 events; u64 data }, packed on x86_64 (12 bytes, EPOLL_PACKED in the uapi
    /// header), naturally aligned elsewhere (16). Read and written at these offsets, unaligned.
    /// </summary>
    internal static int EpollEventBytes => RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 12 : 16;

    /// <summary>Where the data member of struct epoll_event starts (after the packed u32 on x86_64).</summary>
    internal static int EpollDataOffset => RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 4 : 8;

    /// <summary>epoll_create1(2).</summary>
    [LibraryImport(Libc, SetLastError = true)]
    internal static partial int epoll_create1(int flags);

    /// <summary>epoll_ctl(2): <paramref name="ev"/> points at one struct epoll_event (ignored for EPOLL_CTL_DEL).</summary>
    [LibraryImport(Libc, SetLastError = true)]
    internal static unsafe partial int epoll_ctl(int epfd, int op, int fd, byte* ev);

    /// <summary>epoll_wait(2): fills up to <paramref name="maxEvents"/> struct epoll_event at <paramref name="events"/>.</summary>
    [LibraryImport(Libc, SetLastError = true)]
    internal static unsafe partial int epoll_wait(int epfd, byte* events, int maxEvents, int timeoutMs);
}
