using System.Globalization;

namespace Reapd.Testing;

/// <summary>
/// tests/native/fuse_stuck.c running: a victim holding memory whose exit is blocked by a FUSE request the helper's
/// own server never answers: a second thread waiting on a FUSE read (<see cref="Start"/>, docs/kernel.md D.3), or an
/// IOCB_CMD_FSYNC in flight, so that after a fatal signal its last mmput blocks in __mmput → exit_aio
/// (<see cref="StartAio"/>, docs/kernel.md D.4). Dispose always ends it cleanly: SIGTERM to the server (which aborts the
/// connection, unmounts, kills and reaps the victim), then, if anything is left, aborts the connection through
/// fusectl, detaches the mount and removes the directory.
/// </summary>
public sealed class FuseStuck : IDisposable
{
    private readonly HelperProcess _server;

    private FuseStuck(HelperProcess server, string readyLine)
    {
        _server = server;
        // "fuse_stuck <victim> ready <MiB> server <server> mount <dir> conn <N> mode <read|aio>"
        string[] words = readyLine.Split(' ');
        VictimPid = int.Parse(words[1], CultureInfo.InvariantCulture);
        ServerPid = int.Parse(words[5], CultureInfo.InvariantCulture);
        MountDirectory = words[7];
        Connection = words[9];
        // mm-held mode: "... mode mm-held peeker <pid>"
        PeekerPid = words.Length > 13 ? int.Parse(words[13], CultureInfo.InvariantCulture) : 0;
    }

    /// <summary>mm-held mode: the child that holds the victim's mmap lock while it waits on a FUSE read.</summary>
    public int PeekerPid { get; }

    public int VictimPid { get; }
    public int ServerPid { get; }
    public string MountDirectory { get; }
    public string Connection { get; }

    /// <summary>The victim's second thread waits on a never-answered FUSE_READ (docs/kernel.md D.3).</summary>
    public static FuseStuck Start(int mib, string cgroupProcsFile) => Launch(mib, cgroupProcsFile, aio: false);

    /// <summary>
    /// The victim has an IOCB_CMD_FSYNC in flight on the FUSE file whose FUSE_FSYNC is never answered: once killed,
    /// its last mmput blocks in exit_aio, before exit_mmap (docs/kernel.md D.4).
    /// </summary>
    public static FuseStuck StartAio(int mib, string cgroupProcsFile) => Launch(mib, cgroupProcsFile, aio: true);

    /// <summary>
    /// The victim dumps core into the FUSE directory and the creation of its core file is never answered: the dump
    /// waits with "CoreDumping: 1" (needs a core_pattern naming a file, not a pipe; the test skips otherwise).
    /// </summary>
    public static FuseStuck StartCore(int mib, string cgroupProcsFile)
    {
        string pattern = File.ReadAllText("/proc/sys/kernel/core_pattern").Trim();
        Assert.SkipWhen(pattern.StartsWith('|') || pattern.StartsWith('/'), $"core_pattern '{pattern}' does not write into the working directory (it is not changed by tests)");
        return Launch(mib, cgroupProcsFile, "--core");
    }

    /// <summary>
    /// The victim's mm is held: a child of it waits on a never-answered FUSE_READ with the victim's mmap lock held for
    /// reading, and a thread of the victim waits for it as a writer, so every new reader of that lock (a read of its
    /// /proc/PID/cmdline, environ, smaps_rollup, mem) blocks until the connection is aborted (docs/kernel.md E.1).
    /// </summary>
    /// <remarks>
    /// The helper says ready after a short sleep that only hopes its writer thread is queued on the lock by then; this
    /// returns once a read of the victim's /proc/PID/cmdline really blocks (that read's thread stays blocked, in the
    /// background, until Dispose aborts the connection).
    /// </remarks>
    public static FuseStuck StartMmHeld(int mib, string cgroupProcsFile)
    {
        FuseStuck stuck = Launch(mib, cgroupProcsFile, "--mm-held");
        if (!ProcFacts.WaitUntil(() => CmdlineBlocks(stuck.VictimPid)))
        {
            stuck.Dispose();
            Assert.Fail($"the helper's /proc/{stuck.VictimPid}/cmdline does not block: its mm is not held");
        }
        return stuck;
    }

    /// <summary>Whether a read of /proc/PID/cmdline is still blocked after half a second.</summary>
    private static bool CmdlineBlocks(int pid)
    {
        var read = new Thread(() =>
        {
            try
            {
                _ = File.ReadAllBytes($"/proc/{pid}/cmdline");
            }
            catch (IOException)
            {
            }
        })
        { IsBackground = true };
        read.Start();
        return !read.Join(500);
    }

    /// <summary>
    /// As <see cref="Start"/>, with the file reporting a size of <paramref name="fileBytes"/>: a reader that checks the
    /// size before it reads (the configuration reader) goes on to a read that never returns.
    /// </summary>
    public static FuseStuck StartWithFileBytes(int mib, string cgroupProcsFile, long fileBytes) =>
        Launch(mib, cgroupProcsFile, null, ["--file-bytes", fileBytes.ToString(CultureInfo.InvariantCulture)]);

    private static FuseStuck Launch(int mib, string cgroupProcsFile, bool aio) => Launch(mib, cgroupProcsFile, aio ? "--aio" : null);

    private static FuseStuck Launch(int mib, string cgroupProcsFile, string? mode, string[]? extra = null)
    {
        Root.Require();
        Assert.SkipUnless(File.Exists("/dev/fuse"), "needs /dev/fuse");
        string[] args = ["--mib", mib.ToString(CultureInfo.InvariantCulture), "--cgroup-procs", cgroupProcsFile, .. extra ?? []];
        var server = HelperProcess.Start("fuse_stuck", mode is null ? args : [.. args, mode], "-pthread");
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

    /// <summary>/proc/PID/wchan of the victim: where it sleeps ("exit_aio" once its exit is stuck there), or "" if gone.</summary>
    public string VictimWchan() => ReadVictim("wchan");

    /// <summary>
    /// Whether /proc/PID/status still shows Vm* lines, i.e. a thread of the victim still has task->mm. A victim past
    /// exit_mm has none (proc_pid_status prints them only when get_task_mm finds an mm).
    /// </summary>
    public bool VictimHasMm() => ReadVictim("status").Contains("\nVmRSS:", StringComparison.Ordinal);

    /// <summary>The State: line of /proc/PID/status without the label, e.g. "D (disk sleep)"; "" if gone.</summary>
    public string VictimState()
    {
        foreach (string line in ReadVictim("status").Split('\n'))
        {
            if (line.StartsWith("State:", StringComparison.Ordinal))
            {
                return line[6..].Trim();
            }
        }
        return "";
    }

    /// <summary>
    /// Aborts the FUSE connection the way an administrator would, through fusectl (N/abort): every request in
    /// flight fails, so a victim stuck on one can finish its exit. When fusectl is not mounted at
    /// /sys/fs/fuse/connections, it is mounted on a private temporary directory just for this write and unmounted
    /// again: the same connections, no shared mount point that a concurrent test could unmount under it.
    /// </summary>
    public void AbortConnection()
    {
        const string system = "/sys/fs/fuse/connections";
        if (File.Exists($"{system}/{Connection}/abort"))
        {
            File.WriteAllText($"{system}/{Connection}/abort", "1");
            return;
        }
        string control = Directory.CreateTempSubdirectory("reapd-fusectl.").FullName;
        try
        {
            if (mount("fusectl", control, "fusectl", 0, null) != 0)
            {
                throw new IOException($"mount -t fusectl on {control} failed: errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}");
            }
            try
            {
                string abort = $"{control}/{Connection}/abort";
                // Absent only when the connection is already gone (the server ended, the kernel aborted it).
                if (File.Exists(abort))
                {
                    File.WriteAllText(abort, "1");
                }
            }
            finally
            {
                _ = umount2(control, 2 /* MNT_DETACH */);
            }
        }
        finally
        {
            Directory.Delete(control);
        }
    }

    public void Dispose()
    {
        _ = kill(ServerPid, 15);
        if (!_server.WaitForExit(5000))
        {
            AbortConnection();
        }
        _server.Dispose();
        if (IsMounted())
        {
            AbortConnection();
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

    private string ReadVictim(string file)
    {
        try
        {
            return File.ReadAllText($"/proc/{VictimPid}/{file}").Trim();
        }
        catch (IOException)
        {
            return "";
        }
        catch (UnauthorizedAccessException)
        {
            return "";
        }
    }

    private bool IsMounted() => File.ReadAllText("/proc/self/mountinfo").Contains(" " + MountDirectory + " ", StringComparison.Ordinal);

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int umount2(string target, int flags);

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int mount(string source, string target, string fstype, nuint flags, string? data);
}
