using System.Globalization;
using System.Text;

namespace Reapd.Linux.Sensors;

/// <summary>
/// What reapd does to itself before guarding anything: lock its memory so it never waits on a major fault under
/// the pressure it answers; lower its own oom_score_adj so the kernel takes it last; raise its CPU priority so a
/// starved machine still runs the reaper (docs/kernel.md D.2). Each step is best effort and reported, never fatal.
/// </summary>
public static class SelfProtection
{
    /// <summary>
    /// -900, not -1000: the kernel then practically never picks reapd (its badness clamps to 1 page while anything
    /// else holds memory), yet a reapd that itself ran away with most of memory can still be killed; -1000 would
    /// make a leaking reapd the one process nothing can stop. systemd-oomd makes the same choice.
    /// </summary>
    public const int OwnOomScoreAdj = -900;

    /// <summary>
    /// mlockall(MCL_CURRENT|MCL_FUTURE|MCL_ONFAULT), retried without MCL_ONFAULT (before 4.4), then
    /// <see cref="MakeCodeResident"/>. Returns what was locked, or why not.
    /// </summary>
    public static string LockMemory()
    {
        string locked;
        if (Interop.mlockall(Interop.MCL_CURRENT | Interop.MCL_FUTURE | Interop.MCL_ONFAULT) == 0)
        {
            locked = "locked (current, future, on fault)";
        }
        else
        {
            Interop.Errno first = Interop.LastErrno;
            if (Interop.mlockall(Interop.MCL_CURRENT | Interop.MCL_FUTURE) != 0)
            {
                return $"not locked: {Interop.LastErrno}";
            }
            locked = $"locked (current, future; MCL_ONFAULT refused: {first})";
        }
        return locked + "; " + MakeCodeResident();
    }

    /// <summary>
    /// MCL_ONFAULT locks only the pages that were touched: a code page of the kill path that the warm-up never ran
    /// (the EINVAL sharer round, a rare outcome's text) would still be read from disk at the first emergency, when the
    /// page cache is being thrashed. So every file mapping of the reapd executable, of libc and of the dynamic loader
    /// (all the code reapd runs: NativeAOT links the managed code into the executable) is mlock()ed, which faults the
    /// whole range in at once (mm/mlock.c, __mm_populate). The anonymous mappings (the GC's reservations, gigabytes of
    /// PROT_NONE) are left to MCL_ONFAULT. Best effort; returns how much was made resident.
    /// </summary>
    public static string MakeCodeResident()
    {
        string? executable = Environment.ProcessPath;
        string maps;
        try
        {
            maps = File.ReadAllText("/proc/self/maps");
        }
        catch (IOException e)
        {
            return "code not made resident: " + e.Message;
        }
        long residentKiB = 0;
        int failures = 0;
        Interop.Errno lastError = 0;
        foreach (string line in maps.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            // "start-end perms offset dev inode path"; the path starts after the fifth field.
            string[] fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 6 || !IsCodeFile(fields[5].Trim(), executable))
            {
                continue;
            }
            string[] range = fields[0].Split('-');
            long start = long.Parse(range[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            long end = long.Parse(range[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if (Interop.mlock((nint)start, (nuint)(end - start)) == 0)
            {
                residentKiB += (end - start) / 1024;
            }
            else
            {
                failures++;
                lastError = Interop.LastErrno;
            }
        }
        string made = $"code resident: {residentKiB} KiB of the executable, libc and ld.so";
        return failures == 0 ? made : $"{made} ({failures} mappings refused: {lastError})";
    }

    private static bool IsCodeFile(string path, string? executable) =>
        (executable is not null && path == executable)
        || path.Contains("/libc.so", StringComparison.Ordinal)
        || path.Contains("/ld-linux", StringComparison.Ordinal);

    /// <summary>Writes <see cref="OwnOomScoreAdj"/> to /proc/self/oom_score_adj (lowering needs CAP_SYS_RESOURCE). Returns the result.</summary>
    public static string LowerOomScoreAdj()
    {
        int fd = KernelTextFile.Open("/proc/self/oom_score_adj", Interop.O_WRONLY, out int errno);
        if (fd < 0)
        {
            return $"unchanged: open failed ({(Interop.Errno)errno})";
        }
        try
        {
            errno = KernelTextFile.Write(fd, OwnOomScoreAdj.ToString(CultureInfo.InvariantCulture));
            return errno == 0
                ? OwnOomScoreAdj.ToString(CultureInfo.InvariantCulture)
                : $"unchanged: {(Interop.Errno)errno}{((Interop.Errno)errno == Interop.Errno.EACCES ? " (lowering needs CAP_SYS_RESOURCE)" : "")}";
        }
        finally
        {
            _ = Interop.close(fd);
        }
    }

    /// <summary>
    /// nice -20 for every thread of the process (best effort: needs CAP_SYS_NICE). On Linux a nice value belongs to
    /// one thread: setpriority(PRIO_PROCESS, 0) changes only the caller's (kernel/sys.c takes `current`), and a new
    /// thread copies its creator's at clone. Threads started before this call (the event writer, the runtime's own)
    /// are therefore raised one by one, by their tids in /proc/self/task; threads started later by a raised thread
    /// (the reaper thread) inherit -20. Returns what was done.
    /// </summary>
    public static string RaisePriority()
    {
        int raised = 0, failed = 0;
        Interop.Errno firstError = 0;
        foreach (string task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            if (!uint.TryParse(Path.GetFileName(task), NumberStyles.None, CultureInfo.InvariantCulture, out uint tid))
            {
                continue;
            }
            if (Interop.setpriority(Interop.PRIO_PROCESS, tid, -20) == 0)
            {
                raised++;
                continue;
            }
            Interop.Errno errno = Interop.LastErrno;
            if (errno == Interop.Errno.ESRCH)
            {
                continue; // the thread ended since the listing: nothing to raise
            }
            failed++;
            firstError = firstError == 0 ? errno : firstError;
        }
        return failed == 0 ? "nice -20"
            : raised == 0 ? $"nice unchanged: {firstError}"
            : $"nice -20 on {raised} threads, unchanged on {failed}: {firstError}";
    }

    /// <summary>
    /// Sets the calling thread's nice value alone (setpriority(PRIO_PROCESS, 0) takes `current`): for reapd's metrics
    /// threads, which must never compete with the loop, the reaper or a victim's exit. Raising a nice value needs no
    /// privilege. False when the kernel refused.
    /// </summary>
    public static bool SetCallingThreadNice(int nice) => Interop.setpriority(Interop.PRIO_PROCESS, 0, nice) == 0;

    /// <summary>The oom_score_adj reapd runs with now (for the start event).</summary>
    public static string CurrentOomScoreAdj()
    {
        try
        {
            return Encoding.ASCII.GetString(File.ReadAllBytes("/proc/self/oom_score_adj")).Trim();
        }
        catch (IOException)
        {
            return "?";
        }
    }
}
