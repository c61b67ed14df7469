using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Reapd.Bench;

/// <summary>
/// The kernel OOM killer's own lines in /dev/kmsg ("Out of memory: Killed process PID", "Memory cgroup out of
/// memory: Killed process PID"), with their times moved onto the runner's clock. A second witness for kernel kills:
/// on this VM the signal_generate tracepoint missed some of them. kmsg stamps records with local_clock, not
/// CLOCK_MONOTONIC; the offset is measured once by writing a marker record and reading its stamp back.
/// </summary>
internal sealed partial class KernelLog : IDisposable
{
    private readonly int _fd;
    private readonly double _offsetS;

    public bool Available => _fd >= 0;

    private KernelLog(int fd, double offsetS)
    {
        _fd = fd;
        _offsetS = offsetS;
    }

    public static KernelLog Open()
    {
        int fd = Libc.open("/dev/kmsg", Libc.O_RDONLY | Libc.O_NONBLOCK);
        if (fd < 0)
        {
            return new KernelLog(-1, 0);
        }
        Libc.lseek(fd, 0, Libc.SEEK_END);
        string mark = "reapd-bench: clock mark " + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        double before = Clock.NowS;
        try
        {
            File.WriteAllText("/dev/kmsg", mark + "\n");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Libc.close(fd);
            return new KernelLog(-1, 0);
        }
        double after = Clock.NowS;
        var log = new KernelLog(fd, 0);
        foreach (var (stampS, text) in log.ReadRecords())
        {
            if (text == mark)
            {
                return new KernelLog(fd, ((before + after) / 2) - stampS);
            }
        }
        return new KernelLog(-1, 0);
    }

    /// <summary>Kernel OOM kills logged since the last call: pid → time on the runner's clock, and whether it was the
    /// global OOM killer (false: a memory cgroup's, which on a shared machine may be someone else's test).</summary>
    public Dictionary<int, (double TimeS, bool Global)> ReadOomKills()
    {
        var kills = new Dictionary<int, (double, bool)>();
        if (_fd < 0)
        {
            return kills;
        }
        foreach (var (stampS, text) in ReadRecords())
        {
            if (TryParseOomKill(text, out int pid, out bool global))
            {
                kills[pid] = (stampS + _offsetS, global);
            }
        }
        return kills;
    }

    /// <summary>The victim of a kernel OOM kill line, and whether the global OOM killer (not a memcg's) wrote it.</summary>
    public static bool TryParseOomKill(string message, out int pid, out bool global)
    {
        var m = KilledProcess().Match(message);
        pid = m.Success ? int.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture) : 0;
        global = m.Success && m.Groups[1].Length == 0;
        return m.Success;
    }

    /// <summary>One /dev/kmsg record, "prio,seq,usec,flags[,...];message\n" (Documentation/ABI/testing/dev-kmsg).</summary>
    public static bool TryParseRecord(string record, out double stampS, out string message)
    {
        stampS = 0;
        message = "";
        int semi = record.IndexOf(';');
        if (semi < 0)
        {
            return false;
        }
        string[] head = record[..semi].Split(',');
        if (head.Length < 3 || !long.TryParse(head[2], CultureInfo.InvariantCulture, out long usec))
        {
            return false;
        }
        stampS = usec / 1e6;
        message = record[(semi + 1)..].Split('\n')[0];
        return true;
    }

    private unsafe List<(double StampS, string Text)> ReadRecords()
    {
        var records = new List<(double, string)>();
        byte[] buffer = new byte[8192];
        while (true)
        {
            nint n;
            fixed (byte* p = buffer)
            {
                n = Libc.read(_fd, p, buffer.Length);
            }
            if (n < 0)
            {
                // EAGAIN: no more records; EPIPE: records were overwritten, the next read goes on after them.
                if (System.Runtime.InteropServices.Marshal.GetLastPInvokeError() == 32)
                {
                    continue;
                }
                break;
            }
            if (n == 0)
            {
                break;
            }
            if (TryParseRecord(Encoding.UTF8.GetString(buffer, 0, (int)n), out double stampS, out string text))
            {
                records.Add((stampS, text));
            }
        }
        return records;
    }

    [GeneratedRegex(@"^(Memory cgroup )?[Oo]ut of memory: Killed process (\d+)")]
    private static partial Regex KilledProcess();

    public void Dispose()
    {
        if (_fd >= 0)
        {
            Libc.close(_fd);
        }
    }
}
