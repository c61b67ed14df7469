using System.Text;

namespace Reapd.Linux.Systemd;

/// <summary>
/// The service manager's notification socket as a ready-made struct sockaddr_un, parsed once from $NOTIFY_SOCKET
/// (sd_notify(3)): an absolute path ("/run/systemd/notify"), or an abstract name written with a leading '@' that
/// stands for the NUL byte the kernel expects there (unix(7)). Other forms (systemd 254's "vsock:CID:PORT") are not
/// supported: reapd only runs on the host it guards.
/// </summary>
public sealed class NotifySocketAddress
{
    private NotifySocketAddress(byte[] sockaddr, int length, string text)
    {
        Sockaddr = sockaddr;
        Length = length;
        Text = text;
    }

    /// <summary>struct sockaddr_un: sun_family = AF_UNIX, then sun_path; only the first <see cref="Length"/> bytes count.</summary>
    public byte[] Sockaddr { get; }

    /// <summary>The address length to pass to sendto: a path counts its terminating NUL, an abstract name does not (unix(7)).</summary>
    public int Length { get; }

    /// <summary>$NOTIFY_SOCKET as given, for messages.</summary>
    public string Text { get; }

    public bool IsAbstract => Sockaddr[Interop.SockaddrUnPathOffset] == 0;

    /// <summary>
    /// The address in <paramref name="value"/>; null with no problem when it is unset or empty (not started by a
    /// service manager), null with a one-line problem when it is set but unusable.
    /// </summary>
    public static NotifySocketAddress? TryParse(string? value, out string? problem)
    {
        problem = null;
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }
        bool isAbstract = value[0] == '@';
        if (!isAbstract && value[0] != '/')
        {
            problem = $"NOTIFY_SOCKET='{value}' is neither an absolute path nor an abstract name starting with '@'";
            return null;
        }
        byte[] name = Encoding.UTF8.GetBytes(value);
        if (isAbstract)
        {
            // The '@' becomes the leading NUL of an abstract name; a name of '@' alone is empty.
            name[0] = 0;
            if (name.Length < 2)
            {
                problem = "NOTIFY_SOCKET='@' names no abstract socket";
                return null;
            }
        }
        else if (Array.IndexOf(name, (byte)0) >= 0)
        {
            problem = "NOTIFY_SOCKET holds a NUL byte";
            return null;
        }
        // A path needs room for its NUL inside sun_path; an abstract name may fill sun_path exactly.
        int pathBytes = isAbstract ? name.Length : name.Length + 1;
        if (pathBytes > Interop.UNIX_PATH_MAX)
        {
            problem = $"NOTIFY_SOCKET is {name.Length} bytes long, more than a unix socket address holds ({Interop.UNIX_PATH_MAX - (isAbstract ? 0 : 1)})";
            return null;
        }
        byte[] sockaddr = new byte[Interop.SockaddrUnPathOffset + Interop.UNIX_PATH_MAX];
        BitConverter.TryWriteBytes(sockaddr.AsSpan(0, 2), (ushort)Interop.AF_UNIX);
        name.CopyTo(sockaddr, Interop.SockaddrUnPathOffset);
        return new NotifySocketAddress(sockaddr, Interop.SockaddrUnPathOffset + pathBytes, value);
    }
}
