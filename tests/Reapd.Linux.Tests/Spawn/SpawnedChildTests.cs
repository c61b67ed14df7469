using System.Diagnostics;
using System.Runtime.InteropServices;
using Reapd.Linux.Desktop;
using Reapd.Linux.Spawn;

namespace Reapd.Linux.Tests.Spawn;

/// <summary>posix_spawn children as the announcer starts them, and the session bus finder, on the real kernel.</summary>
public sealed class SpawnedChildTests
{
    private const int PageBytes = 4096;

    /// <summary>
    /// glibc's posix_spawn runs the child on the parent's memory (CLONE_VM | CLONE_VFORK) until it execs: nothing of
    /// the parent is copied or write-protected. A fork would mark every private page copy-on-write, and the parent's
    /// next write to each page would take a fault and a copy: 65536 faults for these 256 MiB.
    /// </summary>
    [Fact]
    public void Spawning_a_child_copies_nothing_of_the_parents_memory()
    {
        const int bytes = 256 << 20;
        nint buffer = Marshal.AllocHGlobal(bytes);
        try
        {
            Touch(buffer, bytes, 1);
            long before = ThreadMinorFaults();
            Touch(buffer, bytes, 2);
            long baseline = ThreadMinorFaults() - before;

            using SpawnedChild child = SpawnedChild.TryStart("/bin/true", ["/bin/true"], [], out int error)
                ?? throw new InvalidOperationException($"posix_spawn failed: {error}");
            Assert.True(WaitForExit(child, out ChildExit exit), "/bin/true did not exit");
            Assert.Equal(new ChildExit(ChildExitKind.Exited, 0), exit);

            before = ThreadMinorFaults();
            Touch(buffer, bytes, 3);
            long afterSpawn = ThreadMinorFaults() - before;
            Assert.True(afterSpawn <= baseline + 64, $"{afterSpawn} faults writing the buffer after the spawn ({baseline} before it): its pages were write-protected");
        }
        finally
        {
            Marshal.FreeHGlobal(buffer);
        }
    }

    [Fact]
    public void A_child_leads_a_process_group_of_its_own_and_the_group_kill_reaches_its_children()
    {
        // Written whole under another name and renamed: a marker seen is never one the shell has opened but not written.
        string marker = Path.Combine(Path.GetTempPath(), $"reapd-spawn-{Environment.ProcessId}");
        using SpawnedChild child = SpawnedChild.TryStart("/bin/sh", ["/bin/sh", "-c", $"sleep 1000 & echo \"$$ $(cut -d' ' -f5 /proc/self/stat) $!\" > {marker}.tmp && mv {marker}.tmp {marker}; wait"], [], out int error)
            ?? throw new InvalidOperationException($"posix_spawn failed: {error}");
        try
        {
            for (int i = 0; i < 200 && !File.Exists(marker); i++)
            {
                Thread.Sleep(50);
            }
            string[] ids = File.ReadAllText(marker).Trim().Split(' ');
            Assert.Equal(child.Pid.ToString(System.Globalization.CultureInfo.InvariantCulture), ids[0]);
            // $(...) runs in a subshell of the same group: its pgid is the child's pid.
            Assert.Equal(ids[0], ids[1]);
            child.KillGroup();
            Assert.True(WaitForExit(child, out ChildExit exit), "the child survived its group's SIGKILL");
            Assert.Equal(new ChildExit(ChildExitKind.Killed, 9), exit);
            int sleeper = int.Parse(ids[2], System.Globalization.CultureInfo.InvariantCulture);
            for (int i = 0; i < 100 && Running(sleeper); i++)
            {
                Thread.Sleep(50);
            }
            Assert.False(Running(sleeper), "the child's own child survived the group kill");
        }
        finally
        {
            child.KillGroup();
            _ = WaitForExit(child, out _);
            File.Delete(marker);
            File.Delete(marker + ".tmp");
        }
    }

    [Fact]
    public void A_program_that_does_not_exist_is_an_error_from_posix_spawn()
    {
        Assert.Null(SpawnedChild.TryStart("/no/such/reapd-program", ["x"], [], out int error));
        Assert.Equal(2, error); // ENOENT
    }

    [Fact]
    public void A_session_bus_is_a_socket_owned_by_the_user_its_directory_is_named_after_and_never_roots()
    {
        Assert.SkipUnless(geteuid() == 0, "needs root: the test gives its bus directories and sockets to other users");
        const uint User = 65534; // nobody
        string root = Directory.CreateTempSubdirectory("reapd-runtime-").FullName;
        var sockets = new List<System.Net.Sockets.Socket>();
        try
        {
            string own = Bus(root, User, User);
            // Named after another uid but owned by this one: not that user's bus.
            _ = Bus(root, User + 4242, User);
            // root's own bus: the notifier never runs as root, so it is no candidate.
            _ = Bus(root, 0, 0);
            // A plain file called bus is no bus; a directory not named by a uid is skipped.
            string plain = Directory.CreateDirectory(Path.Combine(root, (User + 1).ToString(System.Globalization.CultureInfo.InvariantCulture))).FullName;
            Assert.Equal(0, chown(plain, User + 1, User + 1));
            File.WriteAllText(Path.Combine(plain, "bus"), "");
            Assert.Equal(0, chown(Path.Combine(plain, "bus"), User + 1, User + 1));
            Directory.CreateDirectory(Path.Combine(root, "gdm"));

            List<SessionBus> buses = SessionBus.Find(root);
            SessionBus bus = Assert.Single(buses);
            Assert.Equal(User, bus.Uid);
            Assert.Equal(User, bus.Gid);
            Assert.Equal(Path.Combine(own, "bus"), bus.SocketPath);
            Assert.Equal("unix:path=" + bus.SocketPath, bus.Address);
            Assert.Empty(SessionBus.Find(Path.Combine(root, "missing")));
        }
        finally
        {
            foreach (System.Net.Sockets.Socket socket in sockets)
            {
                socket.Dispose();
            }
            Directory.Delete(root, recursive: true);
        }

        // ROOT/UID/bus, a listening socket; the directory and the socket owned by OWNER.
        string Bus(string under, uint uid, uint owner)
        {
            string directory = Directory.CreateDirectory(Path.Combine(under, uid.ToString(System.Globalization.CultureInfo.InvariantCulture))).FullName;
            var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
            sockets.Add(socket);
            socket.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(Path.Combine(directory, "bus")));
            Assert.Equal(0, chown(directory, owner, owner));
            Assert.Equal(0, chown(Path.Combine(directory, "bus"), owner, owner));
            return directory;
        }
    }

    private static void Touch(nint buffer, int bytes, byte value)
    {
        for (int offset = 0; offset < bytes; offset += PageBytes)
        {
            Marshal.WriteByte(buffer, offset, value);
        }
    }

    private static bool WaitForExit(SpawnedChild child, out ChildExit exit)
    {
        var clock = Stopwatch.StartNew();
        while (clock.ElapsedMilliseconds < 10_000)
        {
            if (child.TryCollect(out exit))
            {
                return true;
            }
            Thread.Sleep(10);
        }
        exit = default;
        return false;
    }

    private static bool Running(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>ru_minflt of the calling thread (getrusage RUSAGE_THREAD; struct rusage: two timevals, then longs).</summary>
    private static long ThreadMinorFaults()
    {
        byte[] usage = new byte[256];
        Assert.Equal(0, getrusage(1, usage));
        return BitConverter.ToInt64(usage, 64);
    }

    [DllImport("libc")]
    private static extern int getrusage(int who, byte[] usage);

    [DllImport("libc")]
    private static extern uint geteuid();

    [DllImport("libc", SetLastError = true)]
    private static extern int chown([MarshalAs(UnmanagedType.LPUTF8Str)] string path, uint owner, uint group);
}
