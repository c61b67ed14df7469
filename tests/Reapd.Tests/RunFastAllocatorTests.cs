using System.Text.Json;
using Reapd.Testing;

namespace Reapd.Tests;

/// <summary>
/// The wake-up rate against the fastest allocation this machine can do: reapd guards a child memory cgroup, idles
/// there (sleeping as long as its headroom allows at the assumed worst-case rate), and then allocators start at full
/// speed with transparent huge pages, the fastest fill measured here (docs/daemon.md, "Idle cost"). The adaptive
/// interval must still see the crossing before the cgroup's OOM killer acts. Skipped (by TestCgroup) when not root
/// or without the v1 memory controller.
/// </summary>
public sealed class RunFastAllocatorTests
{
    private const long MiB = 1L << 20;

    [Fact]
    public void Allocators_at_full_speed_starting_from_idle_are_killed_before_the_kernel_OOM_killer_acts()
    {
        using TestCgroup cgroup = TestCgroup.Create(2048 * MiB, "fastfill");
        long kernelKillsBefore = cgroup.KernelOomKills;
        using RunDaemon daemon = RunDaemon.Start("--cgroup", cgroup.Path);
        daemon.WaitFor("start", _ => true);
        // Idle first: a few of its longest sleeps pass with nothing in the cgroup.
        Thread.Sleep(3000);
        Assert.Empty(daemon.Named("trigger"));

        // Two allocators at once (one per core here), no rate limit, THP: together 3 GiB into a 2 GiB limit.
        using HelperProcess first = HelperProcess.Start("hog", ["--mib", "1536", "--page", "thp", "--ignore-term", "--cgroup-procs", Path.Combine(cgroup.Path, "cgroup.procs")]);
        using HelperProcess second = HelperProcess.Start("hog", ["--mib", "1536", "--page", "thp", "--ignore-term", "--cgroup-procs", Path.Combine(cgroup.Path, "cgroup.procs")]);
        JsonElement kill = daemon.WaitFor("signal", e => e.GetProperty("signal").GetString() == "SIGKILL");
        int victim = Pid(kill);
        Assert.Contains(victim, new[] { first.Pid, second.Pid });
        Assert.Equal("Sent", kill.GetProperty("result").GetString());
        daemon.WaitFor("settle", e => Pid(e) == victim);
        HelperProcess survivor = victim == first.Pid ? second : first;
        // The other one finishes its 1.5 GiB in the room the kill made, or is killed by reapd too; never by the kernel.
        survivor.WaitForLine(" ready ");

        Assert.Equal(kernelKillsBefore, cgroup.KernelOomKills);
        Assert.All(daemon.Named("signal"), e => Assert.Contains(Pid(e), new[] { first.Pid, second.Pid }));
        daemon.StopCleanly();
        Assert.Empty(daemon.UnparsedLines);
    }

    private static int Pid(JsonElement e) => e.TryGetProperty("pid", out JsonElement pid) ? pid.GetInt32() : -1;
}
