namespace Reapd.Bench.Tests;

public class KernelLogTests
{
    [Fact]
    public void A_kmsg_record_gives_its_stamp_in_seconds_and_its_message()
    {
        Assert.True(KernelLog.TryParseRecord("3,1234,2239467240,-;Out of memory: Killed process 28181 (hog)\n SUBSYSTEM=x\n", out double stampS, out string message));

        Assert.Equal(2239.46724, stampS, 6);
        Assert.Equal("Out of memory: Killed process 28181 (hog)", message);
    }

    [Fact]
    public void A_record_without_a_header_is_refused()
    {
        Assert.False(KernelLog.TryParseRecord("no header here", out _, out _));
        Assert.False(KernelLog.TryParseRecord("6,1;too short", out _, out _));
    }

    [Fact]
    public void The_global_oom_killer_is_told_apart_from_a_memory_cgroup_one()
    {
        Assert.True(KernelLog.TryParseOomKill("Out of memory: Killed process 28181 (hog-B34F08A4C28) total-vm:4102572kB", out int pid, out bool global));
        Assert.Equal(28181, pid);
        Assert.True(global);

        Assert.True(KernelLog.TryParseOomKill("Memory cgroup out of memory: Killed process 13508 (fuse_stuck) total-vm:2099516kB", out pid, out global));
        Assert.Equal(13508, pid);
        Assert.False(global);
    }

    [Fact]
    public void Other_kernel_lines_are_not_oom_kills()
    {
        Assert.False(KernelLog.TryParseOomKill("oom_reaper: reaped process 13508 (fuse_stuck), now anon-rss:8kB", out _, out _));
        Assert.False(KernelLog.TryParseOomKill("reapd-bench: clock mark 42", out _, out _));
    }
}
