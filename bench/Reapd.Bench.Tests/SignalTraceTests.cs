namespace Reapd.Bench.Tests;

public class SignalTraceTests
{
    [Fact]
    public void A_daemon_kill_line_gives_sender_tgid_signal_target_and_time()
    {
        const string line = "        earlyoom-21497   (  21497) [001] d..1.  4089.808622: signal_generate: sig=9 errno=0 code=0 comm=fuse_stuck-64E1 pid=21530 grp=1 res=0";

        Assert.True(SignalTrace.TryParse(line, out var e));

        Assert.Equal(4089.808622, e.TimeS, 6);
        Assert.Equal("earlyoom", e.SenderComm);
        Assert.Equal(21497, e.SenderTgid);
        Assert.Equal(9, e.Signal);
        Assert.Equal("fuse_stuck-64E1", e.TargetComm);
        Assert.Equal(21530, e.TargetPid);
        Assert.False(e.FromKernel);
    }

    [Fact]
    public void A_kernel_oom_kill_is_marked_by_si_kernel_whoever_was_running()
    {
        const string line = " hog-B34F08A4C28-4860    (   4860) [001] d..2.  2855.390571: signal_generate: sig=9 errno=0 code=128 comm=fuse_stuck-64E1 pid=4856 grp=1 res=0";

        Assert.True(SignalTrace.TryParse(line, out var e));

        Assert.True(e.FromKernel);
        Assert.Equal("hog-B34F08A4C28", e.SenderComm);
        Assert.Equal(4856, e.TargetPid);
    }

    [Fact]
    public void An_ignored_sigterm_keeps_its_result_and_an_unknown_sender_tgid_is_minus_one()
    {
        const string line = "           <...>-4760    (-------) [000] d..1.  2853.274266: signal_generate: sig=15 errno=0 code=0 comm=hog pid=4782 grp=1 res=1";

        Assert.True(SignalTrace.TryParse(line, out var e));

        Assert.Equal(-1, e.SenderTgid);
        Assert.Equal(15, e.Signal);
        Assert.Equal(1, e.Result);
    }

    [Theory]
    [InlineData("# tracer: nop")]
    [InlineData("#           TASK-PID     TGID     CPU#  |||||  TIMESTAMP  FUNCTION")]
    [InlineData("")]
    [InlineData("          bash-1  (1) [000] ....  1.0: sched_switch: prev_comm=bash")]
    public void Headers_and_other_events_are_not_signal_events(string line)
    {
        Assert.False(SignalTrace.TryParse(line, out _));
    }

    [Fact]
    public void A_fork_line_gives_the_forking_process_the_forking_thread_and_the_child()
    {
        const string line = "           reapd-303     (    301) [001] .....   412.902114: sched_process_fork: comm=reapd pid=303 child_comm=reapd child_pid=309";

        Assert.True(SignalTrace.TryParseFork(line, out var f));
        Assert.False(SignalTrace.TryParse(line, out _));

        Assert.Equal(412.902114, f.TimeS, 6);
        Assert.Equal(301, f.ParentTgid);
        Assert.Equal(303, f.ParentPid);
        Assert.Equal("reapd", f.ChildComm);
        Assert.Equal(309, f.ChildPid);
    }
}
