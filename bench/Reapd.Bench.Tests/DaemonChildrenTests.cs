namespace Reapd.Bench.Tests;

public class DaemonChildrenTests
{
    // One run's trace as the runner's tracefs instance records it (record-tgid on, mono clock): the runner (dotnet,
    // pid 250) starts reapd (301), reapd starts threads and its warm-up `sleep` (309) and kills it; the runner then
    // starts the workload: a thrasher and, to make the point, a workload process that is itself called `sleep` (320).
    // reapd SIGKILLs the thrasher and that `sleep` later.
    private const string Trace = """
        # tracer: nop
        #
        #           TASK-PID     TGID     CPU#  |||||  TIMESTAMP  FUNCTION
                  dotnet-250     (    250) [001] .....   412.100310: sched_process_fork: comm=dotnet pid=250 child_comm=dotnet child_pid=301
                   reapd-301     (    301) [000] .....   412.310022: sched_process_fork: comm=reapd pid=301 child_comm=reapd child_pid=302
                   reapd-301     (    301) [000] .....   412.311907: sched_process_fork: comm=reapd pid=301 child_comm=reapd child_pid=303
                   reapd-303     (    301) [001] .....   412.902114: sched_process_fork: comm=reapd pid=303 child_comm=reapd child_pid=309
                   reapd-301     (    301) [000] d..1.   413.020455: signal_generate: sig=15 errno=0 code=0 comm=sleep pid=309 grp=1 res=0
                   reapd-301     (    301) [000] d..1.   413.031902: signal_generate: sig=9 errno=0 code=0 comm=sleep pid=309 grp=1 res=0
                  dotnet-250     (    250) [001] .....   414.200871: sched_process_fork: comm=dotnet pid=250 child_comm=dotnet child_pid=318
                  dotnet-250     (    250) [001] .....   414.204410: sched_process_fork: comm=dotnet pid=250 child_comm=dotnet child_pid=320
                   reapd-302     (    301) [000] d..1.   440.510093: signal_generate: sig=9 errno=0 code=0 comm=bench-hog pid=318 grp=1 res=0
                   reapd-302     (    301) [000] d..1.   441.700155: signal_generate: sig=9 errno=0 code=0 comm=sleep pid=320 grp=1 res=0
        """;

    private static (List<SignalEvent> Signals, List<ForkEvent> Forks) Parse(string trace)
    {
        var signals = new List<SignalEvent>();
        var forks = new List<ForkEvent>();
        foreach (string line in trace.Split('\n'))
        {
            if (SignalTrace.TryParse(line, out var s))
            {
                signals.Add(s);
            }
            else if (SignalTrace.TryParseFork(line, out var f))
            {
                forks.Add(f);
            }
        }
        return (signals, forks);
    }

    [Fact]
    public void The_warm_up_sleep_reapd_forked_is_its_own_child_and_a_workload_process_called_sleep_is_not()
    {
        var (signals, forks) = Parse(Trace);

        Assert.Equal(4, signals.Count);
        Assert.Equal(6, forks.Count);
        var own = signals.Where(s => DaemonChildren.IsOwnDescendant(forks, 301, s.TargetPid, s.TimeS)).Select(s => (s.Signal, s.TargetPid)).ToList();
        Assert.Equal([(15, 309), (9, 309)], own);
        Assert.False(DaemonChildren.IsOwnDescendant(forks, 301, 320, 441.700155));
        Assert.False(DaemonChildren.IsOwnDescendant(forks, 301, 318, 440.510093));
    }

    [Fact]
    public void A_pid_the_runner_reuses_after_the_daemons_child_exited_is_no_longer_the_daemons()
    {
        var (_, forks) = Parse(Trace + """

                  dotnet-250     (    250) [001] .....   450.000100: sched_process_fork: comm=dotnet pid=250 child_comm=dotnet child_pid=309
            """);

        Assert.True(DaemonChildren.IsOwnDescendant(forks, 301, 309, 449.0));
        Assert.False(DaemonChildren.IsOwnDescendant(forks, 301, 309, 451.0));
    }

    [Fact]
    public void A_process_started_by_the_daemons_child_is_its_own_too_and_an_unknown_tgid_falls_back_to_the_forking_pid()
    {
        // A kill hook: reapd's child (a shell, 330) starts a program (331); the trace lost the hook's tgid.
        var (_, forks) = Parse(Trace + """

                   reapd-301     (    301) [000] .....   442.000100: sched_process_fork: comm=reapd pid=301 child_comm=reapd child_pid=330
                      sh-330     (-------) [001] .....   442.010200: sched_process_fork: comm=sh pid=330 child_comm=sh child_pid=331
            """);

        Assert.Equal(-1, forks[^1].ParentTgid);
        Assert.True(DaemonChildren.IsOwnDescendant(forks, 301, 331, 443.0));
        // Not before it was forked, and never the daemon itself.
        Assert.False(DaemonChildren.IsOwnDescendant(forks, 301, 331, 442.0));
        Assert.False(DaemonChildren.IsOwnDescendant(forks, 301, 301, 443.0));
    }

    [Fact]
    public void Without_fork_events_or_a_daemon_nothing_is_anyones_own_child()
    {
        var (signals, forks) = Parse(Trace);

        Assert.False(DaemonChildren.IsOwnDescendant([], 301, 309, 413.031902));
        Assert.DoesNotContain(signals, s => DaemonChildren.IsOwnDescendant(forks, -1, s.TargetPid, s.TimeS));
    }
}
