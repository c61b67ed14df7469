using System.Diagnostics;
using System.Globalization;

namespace Reapd.Testing;

/// <summary>Small facts about live processes for tests (independent of reapd's own parsers), and bounded waiting.</summary>
public static class ProcFacts
{
    /// <summary>/proc/PID/stat field 22 (start time in clock ticks after boot).</summary>
    public static ulong StartTime(int pid)
    {
        string stat = File.ReadAllText($"/proc/{pid}/stat");
        return ulong.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[19], CultureInfo.InvariantCulture);
    }

    /// <summary>Clock ticks (USER_HZ = 100) since boot, from /proc/uptime: comparable with start times.</summary>
    public static ulong UptimeTicks() =>
        (ulong)(double.Parse(File.ReadAllText("/proc/uptime").Split(' ')[0], CultureInfo.InvariantCulture) * 100);

    /// <summary>
    /// Before reusing the pid of a process that started at <paramref name="startTimeTicks"/>, waits (bounded) until
    /// the clock is two ticks past it, so the newcomer's start time differs (the limit of every start-time identity
    /// check, docs/kernel.md C.1).
    /// </summary>
    public static bool WaitPastTick(ulong startTimeTicks) => WaitUntil(() => UptimeTicks() > startTimeTicks + 1);

    /// <summary>Polls <paramref name="condition"/> every 10 ms until it holds or the deadline passes.</summary>
    public static bool WaitUntil(Func<bool> condition, int timeoutMs = 10_000)
    {
        var deadline = Stopwatch.StartNew();
        while (!condition())
        {
            if (deadline.ElapsedMilliseconds > timeoutMs)
            {
                return false;
            }
            Thread.Sleep(10);
        }
        return true;
    }
}
