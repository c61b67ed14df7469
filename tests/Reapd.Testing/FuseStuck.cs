using System.Globalization;

namespace Reapd.Testing;

/// <summary>
/// tests/native/fuse_stuck.c running: a victim holding memory whose second thread waits on a FUSE read that the
/// helper's own server never answers (kernel.md D.3). Dispose always ends it cleanly: SIGTERM to the server (which
/// aborts the connection, unmounts, kills and reaps the victim), then, if anything is left, aborts the connection
/// through fusectl, detaches the mount and removes the directory.
/// </summary>
public sealed class FuseStuck : IDisposable
{
    private readonly HelperProcess _server;

    private FuseStuck(HelperProcess server, string readyLine)
    {
        _server = server;
        // "fuse_stuck <victim> ready <MiB> server <server> mount <dir> conn <N>"
        string[] words = readyLine.Split(' ');
        VictimPid = int.Parse(words[1], CultureInfo.InvariantCulture);
        ServerPid = int.Parse(words[5], CultureInfo.InvariantCulture);
        MountDirectory = words[7];
        Connection = words[9];
    }

    public int VictimPid { get; }
    public int ServerPid { get; }
    public string MountDirectory { get; }
    public string Connection { get; }

    public static FuseStuck Start(int mib, string cgroupProcsFile)
    {
        Root.Require();
        Assert.SkipUnless(File.Exists("/dev/fuse"), "needs /dev/fuse");
        var server = HelperProcess.Start("fuse_stuck", ["--mib", mib.ToString(CultureInfo.InvariantCulture), "--cgroup-procs", cgroupProcsFile], "-pthread");
        try
        {
            return new FuseStuck(server, server.WaitForLine(" ready "));
        }
        catch
        {
            server.Dispose();
            throw;
        }
    }

    /// <summary>The states of the victim's threads (e.g. "Z", "D"), from /proc/PID/task/*/stat.</summary>
    public IReadOnlyList<char> VictimThreadStates()
    {
        var states = new List<char>();
        try
        {
            foreach (string task in Directory.GetDirectories($"/proc/{VictimPid}/task"))
            {
                string stat = File.ReadAllText(Path.Combine(task, "stat"));
                states.Add(stat[stat.LastIndexOf(')') + 2]);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
        return states;
    }

    public void Dispose()
    {
        _ = kill(ServerPid, 15);
        if (!_server.WaitForExit(5000))
        {
            Abort();
        }
        _server.Dispose();
        if (IsMounted())
        {
            Abort();
            _ = umount2(MountDirectory, 2 /* MNT_DETACH */);
        }
        try
        {
            if (Directory.Exists(MountDirectory))
            {
                Directory.Delete(MountDirectory);
            }
        }
        catch (IOException)
        {
        }
    }

    private void Abort()
    {
        string abort = $"/sys/fs/fuse/connections/{Connection}/abort";
        if (File.Exists(abort))
        {
            File.WriteAllText(abort, "1");
        }
    }

    private bool IsMounted() => File.ReadAllText("/proc/self/mountinfo").Contains(" " + MountDirectory + " ", StringComparison.Ordinal);

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int umount2(string target, int flags);
}
