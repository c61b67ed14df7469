using System.Globalization;
using System.Text.RegularExpressions;

namespace Reapd.Bench;

/// <summary>
/// The kernel's own record of every SIGTERM and SIGKILL sent on the machine, from the signal:signal_generate
/// tracepoint, in a private tracefs instance (so the global trace buffer of anyone else is untouched) with the
/// "mono" trace clock (the runner's clock) and the sender's tgid recorded; and every fork (sched:sched_process_fork),
/// so that a signal a daemon sends to a process it started itself is told from one it sends to anything else. Mounts tracefs when it is not mounted
/// and unmounts it again at the end. When tracefs cannot be used, <see cref="Available"/> is false and the runner
/// falls back to its own observation of its children's deaths.
/// </summary>
internal sealed partial class SignalTrace : IDisposable
{
    private readonly string _instance;
    private readonly bool _mountedByUs;
    private readonly string _root;

    public bool Available { get; }

    public string Why { get; } = "";

    private SignalTrace(string root, string instance, bool mountedByUs, bool available, string why)
    {
        _root = root;
        _instance = instance;
        _mountedByUs = mountedByUs;
        Available = available;
        Why = why;
    }

    public static SignalTrace Open()
    {
        string root = "/sys/kernel/tracing";
        bool mounted = false;
        try
        {
            if (!File.Exists(Path.Combine(root, "trace")) && File.Exists("/sys/kernel/debug/tracing/trace"))
            {
                root = "/sys/kernel/debug/tracing";
            }
            if (!File.Exists(Path.Combine(root, "trace")))
            {
                root = "/sys/kernel/tracing";
                if (!Mount(root))
                {
                    return new SignalTrace(root, "", false, false, "tracefs is not mounted and mounting it failed");
                }
                mounted = true;
            }
            string instance = Path.Combine(root, "instances", "reapd-bench-" + Environment.ProcessId);
            Directory.CreateDirectory(instance);
            File.WriteAllText(Path.Combine(instance, "trace_clock"), "mono");
            File.WriteAllText(Path.Combine(instance, "buffer_size_kb"), "2048");
            File.WriteAllText(Path.Combine(instance, "options", "record-tgid"), "1");
            string ev = Path.Combine(instance, "events", "signal", "signal_generate");
            File.WriteAllText(Path.Combine(ev, "filter"), "sig == 9 || sig == 15");
            File.WriteAllText(Path.Combine(ev, "enable"), "1");
            // Forks are few next to a 2 MiB-per-CPU buffer (the fork storm's 50 children a second, the daemons' threads).
            // Without them (a kernel without the sched events) only the wait for the daemon's start tells its own
            // children's signals apart: they come before the workload starts.
            try
            {
                File.WriteAllText(Path.Combine(instance, "events", "sched", "sched_process_fork", "enable"), "1");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"bench: no fork events in the trace ({e.Message})");
            }
            File.WriteAllText(Path.Combine(instance, "tracing_on"), "1");
            return new SignalTrace(root, instance, mounted, true, "");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            var t = new SignalTrace(root, "", mounted, false, "tracefs signal_generate unusable: " + e.Message);
            t.Dispose();
            return t;
        }
    }

    private static bool Mount(string root)
    {
        using var p = System.Diagnostics.Process.Start("mount", ["-t", "tracefs", "nodev", root]);
        p.WaitForExit();
        return p.ExitCode == 0 && File.Exists(Path.Combine(root, "trace"));
    }

    /// <summary>Empties the instance's buffer (start of a run). tracefs clears it on an open with O_TRUNC
    /// (tracing_open in kernel/trace/trace.c); an ftruncate, which .NET may use instead, does nothing there.</summary>
    public void Clear()
    {
        if (Available)
        {
            int fd = Libc.open(Path.Combine(_instance, "trace"), Libc.O_WRONLY | Libc.O_TRUNC);
            if (fd >= 0)
            {
                Libc.close(fd);
            }
        }
    }

    /// <summary>Every signal and fork in the buffer since the last <see cref="Clear"/>, and the buffer's text as read.</summary>
    public List<SignalEvent> Read(out string[] rawLines, out List<ForkEvent> forks)
    {
        var events = new List<SignalEvent>();
        forks = [];
        rawLines = [];
        if (!Available)
        {
            return events;
        }
        rawLines = File.ReadAllLines(Path.Combine(_instance, "trace"));
        foreach (string line in rawLines)
        {
            if (TryParse(line, out var e))
            {
                events.Add(e);
            }
            else if (TryParseFork(line, out var f))
            {
                forks.Add(f);
            }
        }
        return events;
    }

    /// <summary>One line of the trace buffer (record-tgid on), or false for headers and other lines.</summary>
    public static bool TryParse(string line, out SignalEvent signalEvent)
    {
        signalEvent = default;
        var m = LineRegex().Match(line);
        if (line.StartsWith('#') || !m.Success)
        {
            return false;
        }
        int tgid = int.TryParse(m.Groups["tgid"].Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int g) ? g : -1;
        signalEvent = new SignalEvent(
            double.Parse(m.Groups["ts"].Value, CultureInfo.InvariantCulture),
            m.Groups["comm"].Value.Trim(),
            tgid,
            int.Parse(m.Groups["sig"].Value, CultureInfo.InvariantCulture),
            int.Parse(m.Groups["code"].Value, CultureInfo.InvariantCulture),
            m.Groups["tcomm"].Value,
            int.Parse(m.Groups["pid"].Value, CultureInfo.InvariantCulture),
            int.Parse(m.Groups["res"].Value, CultureInfo.InvariantCulture));
        return true;
    }

    /// <summary>One sched_process_fork line (record-tgid on), or false for anything else.</summary>
    public static bool TryParseFork(string line, out ForkEvent forkEvent)
    {
        forkEvent = default;
        var m = ForkRegex().Match(line);
        if (line.StartsWith('#') || !m.Success)
        {
            return false;
        }
        forkEvent = new ForkEvent(
            double.Parse(m.Groups["ts"].Value, CultureInfo.InvariantCulture),
            int.TryParse(m.Groups["tgid"].Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int g) ? g : -1,
            int.Parse(m.Groups["ppid"].Value, CultureInfo.InvariantCulture),
            m.Groups["ccomm"].Value,
            int.Parse(m.Groups["cpid"].Value, CultureInfo.InvariantCulture));
        return true;
    }

    // "  reapd-301     (    301) [000] .....   88.123456: sched_process_fork: comm=reapd pid=301 child_comm=reapd child_pid=309"
    // (include/trace/events/sched.h; the child's comm is its parent's until it execs).
    [GeneratedRegex(@"^\s*(?<comm>.*?)-(?<tid>\d+)\s+\(\s*(?<tgid>[-\d]+)\)\s+\[\d+\]\s+\S+\s+(?<ts>\d+\.\d+): sched_process_fork: comm=(?<pcomm>.*) pid=(?<ppid>\d+) child_comm=(?<ccomm>.*) child_pid=(?<cpid>\d+)")]
    private static partial Regex ForkRegex();

    // "  earlyoom-1234    (   1234) [001] d..2.  5123.456789: signal_generate: sig=9 errno=0 code=0 comm=hog pid=77 grp=1 res=0"
    [GeneratedRegex(@"^\s*(?<comm>.*?)-(?<tid>\d+)\s+\(\s*(?<tgid>[-\d]+)\)\s+\[\d+\]\s+\S+\s+(?<ts>\d+\.\d+): signal_generate: sig=(?<sig>\d+) errno=-?\d+ code=(?<code>-?\d+) comm=(?<tcomm>.*) pid=(?<pid>\d+) grp=\d+ res=(?<res>\d+)")]
    private static partial Regex LineRegex();

    public void Dispose()
    {
        try
        {
            if (_instance.Length > 0 && Directory.Exists(_instance))
            {
                File.WriteAllText(Path.Combine(_instance, "events", "signal", "signal_generate", "enable"), "0");
                string fork = Path.Combine(_instance, "events", "sched", "sched_process_fork", "enable");
                if (File.Exists(fork))
                {
                    File.WriteAllText(fork, "0");
                }
                Directory.Delete(_instance);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"bench: could not remove the tracefs instance {_instance}: {e.Message}");
        }
        if (_mountedByUs)
        {
            using var p = System.Diagnostics.Process.Start("umount", [_root]);
            p.WaitForExit();
        }
    }
}
