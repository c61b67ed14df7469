using System.Runtime.InteropServices;

namespace Reapd.Linux;

internal static partial class Interop
{
    internal const int AF_UNIX = 1;
    internal const int SOCK_DGRAM = 2;
    internal const int SOCK_NONBLOCK = 0x800;
    internal const int SOCK_CLOEXEC = 0x80000;

    /// <summary>send flags: never wait for room in the receiver's queue; no SIGPIPE (the default action would end reapd).</summary>
    internal const int MSG_DONTWAIT = 0x40;
    internal const int MSG_NOSIGNAL = 0x4000;

    /// <summary>offsetof(struct sockaddr_un, sun_path): sun_family is a 2-byte sa_family_t.</summary>
    internal const int SockaddrUnPathOffset = 2;

    /// <summary>sizeof(sun_path) in struct sockaddr_un (linux/un.h UNIX_PATH_MAX).</summary>
    internal const int UNIX_PATH_MAX = 108;

    /// <summary>struct sockaddr_un: the family, then a NUL-terminated path of at most 107 bytes.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct SockaddrUn
    {
        public ushort Family;
        public fixed byte Path[UNIX_PATH_MAX];
    }

    /// <summary>socket(2).</summary>
    [LibraryImport(Libc, SetLastError = true)]
    internal static partial int socket(int domain, int type, int protocol);

    /// <summary>sendto(2) on an unconnected datagram socket: the address goes with every datagram.</summary>
    [LibraryImport(Libc, SetLastError = true)]
    internal static unsafe partial nint sendto(int fd, byte* buffer, nuint length, int flags, byte* address, uint addressLength);

    /// <summary>
    /// connect(2): on a datagram socket it fixes the peer, which makes poll's POLLOUT mean "the peer's receive queue
    /// has room" (unix_dgram_poll, net/unix/af_unix.c) — an unconnected sender has no way to wait for that.
    /// </summary>
    [LibraryImport(Libc, SetLastError = true)]
    internal static unsafe partial int connect(int fd, SockaddrUn* address, uint addressLength);

    /// <summary>send(2) to the connected peer; with MSG_DONTWAIT a full peer queue is EAGAIN instead of a wait.</summary>
    [LibraryImport(Libc, SetLastError = true)]
    internal static unsafe partial nint send(int fd, byte* buffer, nuint length, int flags);
}
