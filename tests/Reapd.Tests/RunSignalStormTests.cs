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
        daemon.StopCleanly();
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
        daemon.StopCleanly();
    }

    [Fact]
    public void Five_thousand_SIGHUPs_while_a_victim_is_in_its_grace_are_coalesced_reloads_that_neither_end_nor_stall_the_daemon()
    {
        using TestCgroup cgroup = TestCgroup.Create(512 * MiB, "sighup");
        DirectoryInfo dir = Directory.CreateTempSubdirectory("reapd-sighup-");
        try
        {
            // Each SIGHUP is a reload of this file (the same settings each time: nothing changes, nothing is refused).
            string config = Path.Combine(dir.FullName, "reapd.toml");
            File.WriteAllText(config, "[kill]\ngrace = \"4s\"\n");
            using RunDaemon daemon = RunDaemon.Start("--cgroup", cgroup.Path, "--config", config);
            using HelperProcess hog = RunHogs.Start(cgroup, 465);
            daemon.WaitFor("signal", e => e.GetProperty("pid").GetInt32() == hog.Pid && e.GetProperty("signal").GetString() == "SIGTERM");
            const int Sent = 5000;
            for (int i = 0; i < Sent; i++)
            {
                Assert.Equal(0, RunSignals.Send(daemon.Pid, 1));
            }
            // The grace ends in the SIGKILL of the same victim, as without the storm; reapd is still there and stops cleanly.
            daemon.WaitFor("signal", e => e.GetProperty("pid").GetInt32() == hog.Pid && e.GetProperty("signal").GetString() == "SIGKILL"
                && e.GetProperty("result").GetString() == "Sent");
            daemon.WaitFor("settle", e => e.GetProperty("pid").GetInt32() == hog.Pid);
            Assert.True(hog.WaitForExit(10_000));
            // One more, answered after the settle: every SIGHUP of the storm was handled by then.
            Assert.Equal(0, RunSignals.Send(daemon.Pid, 1));
            daemon.WaitFor("reloaded", e => !e.GetProperty("in_flight").GetBoolean());
            Assert.Single(daemon.Named("choice"));
            Assert.All(daemon.Named("signal"), e => Assert.Equal(hog.Pid, e.GetProperty("pid").GetInt32()));
            Assert.Empty(daemon.Named("reload-refused"));
            JsonElement[] reloads = [.. daemon.Named("reloaded")];
            Assert.All(reloads, e => Assert.Equal("nothing", e.GetProperty("changed").GetString()));
            // The storm was handled while the victim was in flight, and coalesced: requests that arrive before the loop
            // gets to them are one reload, so there are far fewer reloads than SIGHUPs.
            Assert.Contains(reloads, e => e.GetProperty("in_flight").GetBoolean());
            Assert.InRange(reloads.Length, 2, Sent);
            Assert.True(reloads.Length < Sent, $"{reloads.Length} reloads for {Sent + 1} SIGHUPs: none coalesced");
            daemon.StopCleanly();
            // Every line arrived (none dropped for a full output ring), so the count of reloads above is the whole count.
            JsonElement stop = Assert.Single(daemon.Named("stop"));
            Assert.Equal(0, stop.GetProperty("events_dropped").GetInt64());
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
