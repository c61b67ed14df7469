using System.Globalization;

namespace Reapd.Bench;

/// <summary>Readers of the /proc files the runner measures with (not on a hot path: plain string parsing).</summary>
internal static class ProcFiles
{
    public static long MemInfoKiB(string field)
    {
        foreach (string line in File.ReadLines("/proc/meminfo"))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
            {
                return long.Parse(line.AsSpan(field.Length + 1).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
            }
        }
        throw new InvalidOperationException($"/proc/meminfo has no {field}");
    }

    public static long MemTotalKiB => MemInfoKiB("MemTotal");

    public static long MemAvailableKiB => MemInfoKiB("MemAvailable");

    /// <summary>oom_kill in /proc/vmstat: every kill by the kernel's OOM killer on this machine (any cgroup).</summary>
    public static long VmstatOomKills
    {
        get
        {
            foreach (string line in File.ReadLines("/proc/vmstat"))
            {
                if (line.StartsWith("oom_kill ", StringComparison.Ordinal))
                {
                    return long.Parse(line.AsSpan(9), CultureInfo.InvariantCulture);
                }
            }
            return 0;
        }
    }

    /// <summary>utime + stime of a process in seconds, or null when it is gone.</summary>
    public static double? CpuSeconds(int pid)
    {
        string? stat = TryRead($"/proc/{pid}/stat");
        if (stat is null)
        {
            return null;
        }
        // Fields after the last ')' (comm may contain anything): state is field 3, utime 14, stime 15.
        string[] rest = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        long ticks = long.Parse(rest[11], CultureInfo.InvariantCulture) + long.Parse(rest[12], CultureInfo.InvariantCulture);
        return ticks / (double)Libc.ClockTicksPerSecond;
    }

    /// <summary>
    /// Time on CPU of all of a process's threads in seconds, to the nanosecond: the first field of each
    /// /proc/PID/task/TID/schedstat (the scheduler's sum_exec_runtime). utime+stime in /proc/PID/stat count in
    /// clock ticks (10 ms), too coarse for a daemon that uses a few ms a minute. Null when the process is gone.
    /// </summary>
    public static double? CpuSecondsPrecise(int pid)
    {
        try
        {
            long ns = 0;
            foreach (string task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
            {
                string? text = TryRead(Path.Combine(task, "schedstat"));
                if (text != null && long.TryParse(text.AsSpan(0, text.IndexOf(' ')), NumberStyles.Integer, CultureInfo.InvariantCulture, out long v))
                {
                    ns += v;
                }
            }
            return ns / 1e9;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Rss and Pss in KiB from /proc/PID/smaps_rollup, or null when the process is gone.</summary>
    public static (long RssKiB, long PssKiB)? RssPssKiB(int pid)
    {
        string? text = TryRead($"/proc/{pid}/smaps_rollup");
        if (text is null)
        {
            return null;
        }
        long rss = 0, pss = 0;
        foreach (string line in text.Split('\n'))
        {
            if (line.StartsWith("Rss:", StringComparison.Ordinal))
            {
                rss = ParseKiB(line);
            }
            else if (line.StartsWith("Pss:", StringComparison.Ordinal))
            {
                pss = ParseKiB(line);
            }
        }
        return (rss, pss);
    }

    /// <summary>Resident set of a process in KiB from /proc/PID/statm, or -1 when it is gone or has no mm.</summary>
    public static long StatmRssKiB(int pid)
    {
        string? text = TryRead($"/proc/{pid}/statm");
        if (text is null)
        {
            return -1;
        }
        string[] parts = text.Split(' ');
        return parts.Length > 1 ? long.Parse(parts[1], CultureInfo.InvariantCulture) * (Environment.SystemPageSize / 1024) : -1;
    }

    public static string? TryRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static long ParseKiB(string line) =>
        long.Parse(line.AsSpan(line.IndexOf(':') + 1).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
}
