using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Reapd.Linux.Sensors;

namespace Reapd.Linux.Spawn;

/// <summary>
/// What a child that reapd starts (its own executable, as a trampoline) does to itself before it runs anything else:
/// give up what it inherited from the daemon. Run at the very start of that child's Main, in a process of its own.
/// </summary>
public static unsafe class ChildSetup
{
    /// <summary>
    /// oom_score_adj 0 and nice 0 for the calling process and thread. A child inherits reapd's -900 (oom_score_adj lives
    /// in the signal_struct, copied at fork) and its thread's nice -20; a hook at -900 would be the last thing the kernel
    /// kills, and at -20 it would compete with the daemon for the CPU. Raising both needs no privilege. Returns the
    /// failures, empty when both were set.
    /// </summary>
    public static string ResetOomScoreAdjAndNice()
    {
        var failures = new StringBuilder();
        int fd = KernelTextFile.Open("/proc/self/oom_score_adj", Interop.O_WRONLY, out int errno);
        if (fd < 0 || (errno = KernelTextFile.Write(fd, "0")) != 0)
        {
            failures.Append(CultureInfo.InvariantCulture, $"oom_score_adj: {(Interop.Errno)errno}; ");
        }
        if (fd >= 0)
        {
            _ = Interop.close(fd);
        }
        // who 0: the calling thread (Linux keeps nice per thread); execve keeps this thread's value for the new image.
        if (Interop.setpriority(Interop.PRIO_PROCESS, 0, 0) != 0)
        {
            failures.Append(CultureInfo.InvariantCulture, $"nice: {Interop.LastErrno}; ");
        }
        return failures.ToString();
    }

    /// <summary>
    /// nice 0 for the calling thread only (who 0 names the caller: Linux keeps nice per thread). For a daemon thread
    /// whose children must not inherit the daemon's -20 (a new process copies its creating thread's nice).
    /// </summary>
    public static bool ResetCallingThreadNice() => Interop.setpriority(Interop.PRIO_PROCESS, 0, 0) == 0;

    /// <summary>
    /// Becomes <paramref name="uid"/>:<paramref name="gid"/> for good, with no supplementary groups: groups first
    /// (they need the privilege the uid change drops), then the gid, then the uid; real, effective and saved ids all,
    /// so there is no way back. Leaving uid 0 this way also clears every capability (capabilities(7)). Null when done,
    /// else what failed. Refuses uid 0 (that would keep every capability), and fails when the supplementary groups
    /// cannot be cleared (a user namespace with setgroups=deny, a filter blocking setgroups): a process with the
    /// user's uid but root's groups must not go on. Every id and the group list are read back afterwards.
    /// </summary>
    public static string? DropToUser(uint uid, uint gid)
    {
        if (uid == 0 || gid == 0)
        {
            return "refusing to run as root (uid or gid 0)";
        }
        if (Interop.setgroups(0, null) != 0)
        {
            Interop.Errno setgroupsErrno = Interop.LastErrno;
            if (Interop.getgroups(0, null) != 0)
            {
                return $"setgroups: {setgroupsErrno}";
            }
        }
        if (Interop.setresgid(gid, gid, gid) != 0)
        {
            return $"setresgid({gid}): {Interop.LastErrno}";
        }
        if (Interop.setresuid(uid, uid, uid) != 0)
        {
            return $"setresuid({uid}): {Interop.LastErrno}";
        }
        uint ruid, euid, suid, rgid, egid, sgid;
        if (Interop.getresuid(&ruid, &euid, &suid) != 0 || Interop.getresgid(&rgid, &egid, &sgid) != 0)
        {
            return $"getresuid/getresgid: {Interop.LastErrno}";
        }
        if (ruid != uid || euid != uid || suid != uid || rgid != gid || egid != gid || sgid != gid)
        {
            return "the ids did not change";
        }
        return Interop.getgroups(0, null) == 0 ? null : "supplementary groups are still set";
    }

    /// <summary>execve(2) of <paramref name="path"/> with <paramref name="argv"/> and this process's environment. Returns only on failure, with errno.</summary>
    public static int Exec(string path, IReadOnlyList<string> argv)
    {
        var environment = new List<string>();
        foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            environment.Add($"{entry.Key}={entry.Value}");
        }
        byte* nativePath = Utf8Z(path);
        byte** nativeArgv = StringArray(argv);
        byte** nativeEnv = StringArray(environment);
        _ = Interop.execve(nativePath, nativeArgv, nativeEnv);
        // The process ends right after a failed exec: the native strings are not worth freeing.
        return (int)Interop.LastErrno;
    }

    private static byte* Utf8Z(string text)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text + "\0");
        byte* native = (byte*)NativeMemory.Alloc((nuint)bytes.Length);
        bytes.CopyTo(new Span<byte>(native, bytes.Length));
        return native;
    }

    private static byte** StringArray(IReadOnlyList<string> items)
    {
        byte** array = (byte**)NativeMemory.AllocZeroed((nuint)(items.Count + 1), (nuint)sizeof(byte*));
        for (int i = 0; i < items.Count; i++)
        {
            array[i] = Utf8Z(items[i]);
        }
        return array;
    }
}
