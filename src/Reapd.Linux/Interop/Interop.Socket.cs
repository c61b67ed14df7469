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

    /// <summary>socket(2).</summary>
    [LibraryImport(Libc, SetLastError = true)]
    internal static partial int socket(int domain, int type, int protocol);

    /// <summary>sendto(2) on an unconnected datagram socket: the address goes with every datagram.</summary>
    [LibraryImport(Libc, SetLastError = true)]
    internal static unsafe partial nint sendto(int fd, byte* buffer, nuint length, int flags, byte* address, uint addressLength);
}
