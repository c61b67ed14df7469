using System.Text.Json;
using Reapd.Testing;

namespace Reapd.Tests;

/// <summary>
/// Signals to reapd itself during an emergency (docs/reliability.md, "Signals and restarts"): SIGSTOP and SIGCONT, and
/// a storm of SIGHUPs. The published daemon, real hogs in a child v1 memory cgroup (oom_score_adj 1000).
/// </summary>
public sealed class RunSignalStormTests
{
    private const long MiB = 1L << 20;

    [Fact]
    public void A_reapd_stopped_while_memory_runs_out_kills_the_hog_once_at_SIGCONT()
    {
        using TestCgroup cgroup = TestCgroup.Create(512 * MiB, "sigstop");
        long kernelKillsBefore = cgroup.KernelOomKills;
        using RunDaemon daemon = RunDaemon.Start("--cgroup", cgroup.Path);
        Assert.Equal(0, RunSignals.Send(daemon.Pid, 19)); // SIGSTOP
        HelperProcess? hog = null;
        try
        {
            // Below the kill level (25.6 MiB available) but under the limit: the kernel's OOM killer stays out of it.
            hog = RunHogs.Start(cgroup, 490);
            hog.WaitForLine("ready");
            Assert.Empty(daemon.Named("trigger"));
        }
        finally
        {
            Assert.Equal(0, RunSignals.Send(daemon.Pid, 18)); // SIGCONT
        }
        using HelperProcess ownedHog = hog; // disposed (killed if still alive) at the end, after SIGCONT
        JsonElement kill = daemon.WaitFor("signal", e => e.GetProperty("signal").GetString() == "SIGKILL");
        int victim = kill.GetProperty("pid").GetInt32();
        Assert.Equal(hog.Pid, victim);
        daemon.WaitFor("settle", e => e.GetProperty("pid").GetInt32() == victim);
        Assert.True(hog.WaitForExit(10_000));
        Assert.Equal(kernelKillsBefore, cgroup.KernelOomKills);
        Assert.Single(daemon.Named("choice"));
        Assert.Single(daemon.Named("signal"), e => e.GetProperty("signal").GetString() == "SIGKILL");
        Assert.Equal(0, daemon.Stop());
    }

    [Fact]
    public void A_victim_that_dies_while_reapd_is_stopped_in_its_grace_is_settled_at_SIGCONT_and_never_signalled_again()
    {
        using TestCgroup cgroup = TestCgroup.Create(512 * MiB, "sigstop-exit");
        using RunDaemon daemon = RunDaemon.Start("--cgroup", cgroup.Path, "--grace", "30s");
        using HelperProcess hog = RunHogs.Start(cgroup, 465);
        daemon.WaitFor("signal", e => e.GetProperty("pid").GetInt32() == hog.Pid && e.GetProperty("signal").GetString() == "SIGTERM");
        Assert.Equal(0, RunSignals.Send(daemon.Pid, 19));
        try
        {
            // The victim goes while nobody watches (as if it had exited on its SIGTERM late); the pid is the test's own child.
            Assert.Equal(0, RunSignals.Send(hog.Pid, 9));
            Assert.True(hog.WaitForExit(10_000));
        }
        finally
        {
            Assert.Equal(0, RunSignals.Send(daemon.Pid, 18));
        }
        JsonElement settle = daemon.WaitFor("settle", e => e.GetProperty("pid").GetInt32() == hog.Pid);
        Assert.Equal("exited", settle.GetProperty("reason").GetString());
        Assert.DoesNotContain(daemon.Named("signal"), e => e.GetProperty("signal").GetString() == "SIGKILL");
        Assert.Single(daemon.Named("choice"));
        Assert.Equal(0, daemon.Stop());
    }

    [Fact]
    public void Five_thousand_SIGHUPs_while_a_victim_is_in_its_grace_neither_end_nor_stall_the_daemon()
    {
        using TestCgroup cgroup = TestCgroup.Create(512 * MiB, "sighup");
        using RunDaemon daemon = RunDaemon.Start("--cgroup", cgroup.Path, "--grace", "4s");
        using HelperProcess hog = RunHogs.Start(cgroup, 465);
        daemon.WaitFor("signal", e => e.GetProperty("pid").GetInt32() == hog.Pid && e.GetProperty("signal").GetString() == "SIGTERM");
        for (int i = 0; i < 5000; i++)
        {
            Assert.Equal(0, RunSignals.Send(daemon.Pid, 1));
        }
        // The grace ends in the SIGKILL of the same victim, as without the storm; reapd is still there and stops cleanly.
        daemon.WaitFor("signal", e => e.GetProperty("pid").GetInt32() == hog.Pid && e.GetProperty("signal").GetString() == "SIGKILL"
            && e.GetProperty("result").GetString() == "Sent");
        daemon.WaitFor("settle", e => e.GetProperty("pid").GetInt32() == hog.Pid);
        Assert.True(hog.WaitForExit(10_000));
        Assert.Single(daemon.Named("choice"));
        Assert.Equal(0, daemon.Stop());
    }
}
