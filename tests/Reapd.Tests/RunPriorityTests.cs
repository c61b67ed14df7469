using System.Globalization;
using Reapd.Testing;

namespace Reapd.Tests;

/// <summary>
/// Linux keeps a nice value per thread: the daemon's raise must reach the threads started before it (the event
/// writer) and after it (the reaper thread), or on a busy machine they wait for a CPU behind everything else.
/// </summary>
public sealed class RunPriorityTests
{
    [Fact]
    public void Every_thread_of_the_daemon_the_reaper_and_the_event_writer_included_runs_at_nice_minus_20()
    {
        Root.Require();
        using RunDaemon daemon = RunDaemon.Start("--dry-run");
        string priority = daemon.Named("start").Single().GetProperty("priority").GetString()!;
        Assert.SkipWhen(priority.StartsWith("nice unchanged", StringComparison.Ordinal), $"setpriority refused here ({priority}): raising needs CAP_SYS_NICE");
        Assert.Equal("nice -20", priority);

        var threads = Directory.GetDirectories($"/proc/{daemon.Pid}/task")
            .Select(task => (Comm: File.ReadAllText(Path.Combine(task, "comm")).Trim(), Nice: NiceOf(File.ReadAllText(Path.Combine(task, "stat")))))
            .ToList();

        Assert.Contains(threads, t => t.Comm == "reapd reaper");
        Assert.Contains(threads, t => t.Comm == "reapd events");
        Assert.All(threads, t => Assert.Equal(-20, t.Nice));
        daemon.StopCleanly();
    }

    /// <summary>Field 19 of /proc/PID/task/TID/stat; the fields start after the last ')' (comm may hold spaces).</summary>
    private static int NiceOf(string stat) =>
        int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[16], CultureInfo.InvariantCulture);
}
