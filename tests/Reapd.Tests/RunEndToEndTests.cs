using System.Text.Json;
using Reapd.Testing;

namespace Reapd.Tests;

/// <summary>
/// The real NativeAOT binary guarding a real child memory cgroup (cgroup v1, 512 MiB limit) on the real kernel, with
/// memory hogs that set their oom_score_adj to 1000, so that if reapd failed the kernel would take a hog and nothing
/// else. Skipped with the reason when not root or without the v1 memory controller.
/// </summary>
public sealed class RunEndToEndTests
{
    private const long MiB = 1L << 20;
    private const long LimitMiB = 512;

    /// <summary>The victim-centric settle reasons: process_mrelease returned 0, or the victim's pidfd became readable.</summary>
    private static readonly string[] SettledByTheKernel = ["reaped", "exited"];

    [Fact]
    public void A_hog_ramping_past_the_limit_is_killed_before_the_kernel_OOM_killer_and_its_memory_comes_back()
    {
        using TestCgroup cgroup = TestCgroup.Create(LimitMiB * MiB, "run1");
        using HelperProcess bystander = Ready(RunHogs.Start(cgroup, 16));
        long kernelKillsBefore = cgroup.KernelOomKills;
        using RunDaemon daemon = RunDaemon.Start("--cgroup", cgroup.Path);

        // 1 GiB at up to 1 GiB/s into 512 MiB: it crosses the term and then the kill level (it ignores SIGTERM).
        using HelperProcess hog = RunHogs.Start(cgroup, 1024, rateMiBPerSecond: 1024);
        JsonElement settle = daemon.WaitFor("settle", e => Pid(e) == hog.Pid);
        Assert.True(hog.WaitForExit(10_000), "the hog is still alive");

        Assert.Contains(settle.GetProperty("reason").GetString(), SettledByTheKernel);
        Assert.Equal(kernelKillsBefore, cgroup.KernelOomKills);
        JsonElement kill = daemon.Named("signal").Single(e => e.GetProperty("signal").GetString() == "SIGKILL");
        Assert.Equal(hog.Pid, Pid(kill));
        Assert.Equal("Sent", kill.GetProperty("result").GetString());
        JsonElement reap = daemon.WaitFor("reap", _ => true);
        Assert.Contains(reap.GetProperty("result").GetString(), new[] { "Reaped", "AlreadyExiting" });
        AssertOnlyVictim(daemon, hog.Pid);
        Assert.False(bystander.HasExited, "a second process died");
        Assert.Contains(bystander.Pid, cgroup.Pids);
        // Its memory came back: what is left is the 16 MiB bystander and some page cache.
        Assert.True(cgroup.UsageBytes < 128 * MiB, $"usage {cgroup.UsageBytes / MiB} MiB after the kill");

        daemon.StopCleanly();
        Assert.Equal("SIGTERM", daemon.Named("stop").Single().GetProperty("reason").GetString());
        Assert.Empty(daemon.UnparsedLines);
    }

    [Fact]
    public void Of_two_hogs_of_different_size_only_the_bigger_dies()
    {
        using TestCgroup cgroup = TestCgroup.Create(LimitMiB * MiB, "run2");
        using HelperProcess big = Ready(RunHogs.Start(cgroup, 300));
        long kernelKillsBefore = cgroup.KernelOomKills;
        using RunDaemon daemon = RunDaemon.Start("--cgroup", cgroup.Path);

        // The smaller one is the allocator that pushes the group past both levels; the bigger one is chosen.
        using HelperProcess small = RunHogs.Start(cgroup, 200, rateMiBPerSecond: 256);
        JsonElement settle = daemon.WaitFor("settle", e => Pid(e) == big.Pid);
        Assert.True(big.WaitForExit(10_000), "the bigger hog is still alive");
        small.WaitForLine(" ready ");

        Assert.Contains(settle.GetProperty("reason").GetString(), SettledByTheKernel);
        JsonElement choice = daemon.Named("choice").Single();
        Assert.Equal(big.Pid, Pid(choice));
        Assert.Equal(2, choice.GetProperty("candidates").GetInt32());
        AssertOnlyVictim(daemon, big.Pid);
        Assert.False(small.HasExited, "the smaller hog died too");
        Assert.Equal(kernelKillsBefore, cgroup.KernelOomKills);
        daemon.StopCleanly();
    }

    [Fact]
    public void A_victim_stuck_on_a_FUSE_request_is_reaped_and_settled_and_no_second_process_is_killed()
    {
        using TestCgroup cgroup = TestCgroup.Create(LimitMiB * MiB, "run3");
        // The victim's second thread waits on a FUSE read its server never answers (docs/kernel.md D.3).
        using FuseStuck fuse = FuseStuck.Start(320, Path.Combine(cgroup.Path, "cgroup.procs"));
        GuardFuseVictim(cgroup, fuse.VictimPid);
    }

    private static void GuardFuseVictim(TestCgroup cgroup, int victim)
    {
        long kernelKillsBefore = cgroup.KernelOomKills;
        using RunDaemon daemon = RunDaemon.Start("--cgroup", cgroup.Path);

        using HelperProcess hog = RunHogs.Start(cgroup, 180, rateMiBPerSecond: 256);
        JsonElement settle = daemon.WaitFor("settle", e => Pid(e) == victim);
        hog.WaitForLine(" ready ");

        // SIGTERM made the leader a zombie while its reader thread stays in D holding the mm: the pidfd never becomes
        // readable. SIGKILL and process_mrelease freed the memory anyway: the kernel said so (0), and the gate opened on it.
        JsonElement reap = daemon.WaitFor("reap", _ => true);
        Assert.Equal(victim, Pid(reap));
        Assert.Equal("Reaped", reap.GetProperty("result").GetString());
        Assert.False(reap.GetProperty("exited").GetBoolean());
        Assert.Equal("reaped", settle.GetProperty("reason").GetString());
        Assert.True(settle.GetProperty("reaped").GetBoolean());
        Assert.True(Directory.Exists($"/proc/{victim}"), "the stuck victim should still exist: its memory came back without its exit");
        Assert.True(cgroup.UsageBytes < 300 * MiB, $"usage {cgroup.UsageBytes / MiB} MiB: the stuck victim's memory did not come back");

        AssertOnlyVictim(daemon, victim);
        Assert.False(hog.HasExited, "a second process was killed");
        Assert.Empty(daemon.Named("no-candidate"));
        Assert.Equal(kernelKillsBefore, cgroup.KernelOomKills);
        daemon.StopCleanly();
    }

    [Fact]
    public void SIGINT_stops_the_daemon_cleanly_with_a_stop_event()
    {
        // A process started in the background by a non-interactive shell (`cmd &`, nohup) has SIGINT ignored; reapd
        // inherits that through the test host and, like any daemon, keeps it ignored, so there is nothing to test.
        Assert.SkipWhen(SigIntIgnoredHere(), "SIGINT is ignored by this test process (started in the background by a shell), and reapd inherits that disposition");
        using TestCgroup cgroup = TestCgroup.Create(64 * MiB, "run4");
        using RunDaemon daemon = RunDaemon.Start("--cgroup", cgroup.Path);
        JsonElement start = daemon.Named("start").Single();
        Assert.StartsWith("cgroup v1 ", start.GetProperty("scope").GetString());
        Assert.Equal(64.0, start.GetProperty("total_mib").GetDouble());
        Assert.StartsWith("locked", start.GetProperty("mlock").GetString());
        _ = RunSignals.Send(daemon.Pid, 2);
        daemon.WaitFor("stop", e => e.GetProperty("reason").GetString() == "SIGINT");
        daemon.StopCleanly();
    }

    /// <summary>Bit 1 (SIGINT = 2) of the SigIgn mask in /proc/self/status.</summary>
    private static bool SigIntIgnoredHere()
    {
        string line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return (Convert.ToUInt64(line["SigIgn:".Length..].Trim(), 16) & (1UL << (2 - 1))) != 0;
    }

    private static HelperProcess Ready(HelperProcess hog)
    {
        hog.WaitForLine(" ready ");
        return hog;
    }

    private static int Pid(JsonElement e) => e.TryGetProperty("pid", out JsonElement pid) ? pid.GetInt32() : -1;

    /// <summary>Every signal reapd sent went to the one victim, and it never chose anyone else.</summary>
    private static void AssertOnlyVictim(RunDaemon daemon, int victim)
    {
        Assert.All(daemon.Named("signal"), e => Assert.Equal(victim, Pid(e)));
        Assert.Single(daemon.Named("choice"));
        Assert.Equal(victim, Pid(daemon.Named("choice")[0]));
    }
}
