using System.Globalization;
using System.Text;

namespace Reapd.Linux.Desktop;

/// <summary>
/// A logged-in user's session bus: the socket systemd-logind's user runtime directory holds, /run/user/UID/bus
/// (created by the user's dbus-daemon or dbus-broker, `dbus-user-session` on Debian). <see cref="Gid"/> is the group
/// of the runtime directory, which logind creates with the user's primary group.
/// </summary>
public readonly record struct SessionBus(uint Uid, uint Gid, string SocketPath)
{
    public const string DefaultRuntimeRoot = "/run/user";

    public string Address => "unix:path=" + SocketPath;

    /// <summary>
    /// The session buses under <paramref name="runtimeRoot"/>: a directory named by a uid and owned by that uid,
    /// holding a socket named bus owned by the same uid. Anything else (a file, a socket someone else made) is not
    /// that user's bus and is skipped: reapd connects to it as that user, so it must be the user's own. root's bus
    /// (/run/user/0) is skipped too: the notifier never runs as root (it would keep every capability). Allocates:
    /// for the announcer thread, never the loop.
    /// </summary>
    public static List<SessionBus> Find(string runtimeRoot = DefaultRuntimeRoot)
    {
        var buses = new List<SessionBus>();
        IEnumerable<string> directories;
        try
        {
            directories = Directory.EnumerateDirectories(runtimeRoot);
            foreach (string directory in directories)
            {
                if (!uint.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out uint uid) || uid == 0)
                {
                    continue;
                }
                string socket = Path.Combine(directory, "bus");
                if (TryStat(directory, out int dirMode, out uint dirUid, out uint dirGid) && (dirMode & Interop.S_IFMT) == Interop.S_IFDIR && dirUid == uid
                    && TryStat(socket, out int mode, out uint socketUid, out _) && (mode & Interop.S_IFMT) == Interop.S_IFSOCK && socketUid == uid)
                {
                    buses.Add(new SessionBus(uid, dirGid, socket));
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // No runtime root (a server without logind) or it vanished: no session bus.
        }
        buses.Sort((a, b) => a.Uid.CompareTo(b.Uid));
        return buses;
    }

    private static unsafe bool TryStat(string path, out int mode, out uint uid, out uint gid)
    {
        byte* buffer = stackalloc byte[Interop.StatxBytes];
        byte[] pathZ = Encoding.UTF8.GetBytes(path + "\0");
        int result;
        fixed (byte* p = pathZ)
        {
            result = Interop.statx(Interop.AT_FDCWD, p, Interop.AT_SYMLINK_NOFOLLOW, Interop.STATX_TYPE | Interop.STATX_MODE | Interop.STATX_UID | Interop.STATX_GID, buffer);
        }
        mode = result == 0 ? *(ushort*)(buffer + Interop.StatxModeOffset) : 0;
        uid = result == 0 ? *(uint*)(buffer + Interop.StatxUidOffset) : 0;
        gid = result == 0 ? *(uint*)(buffer + Interop.StatxGidOffset) : 0;
        return result == 0;
    }
}
