using System.Globalization;
using System.Text.Json;
using Reapd.Testing;

namespace Reapd.Tests;

/// <summary>
/// A victim whose mm is shared with a process reapd never kills cannot be reaped: the daemon signals nothing to it,
/// excludes it and chooses another victim, as the kernel's OOM killer skips such an mm.
/// </summary>
public sealed class RunSharerExclusionTests
{
    private const long MiB = 1L << 20;

    [Fact]
    public void A_top_candidate_sharing_its_mm_with_a_protected_process_is_passed_over_and_the_next_one_is_killed()
    {
        using TestCgroup cgroup = TestCgroup.Create(512 * MiB, "sharer-excluded");
        // 300 MiB held by a clone_vm pair whose CLONE_VM child is named as protected.
        using HelperProcess pair = HelperProcess.Start("clone_vm", ["--mib", "300", "--sharer-name", "reapd-keep", "--cgroup-procs", Path.Combine(cgroup.Path, "cgroup.procs")]);
        int sharer = int.Parse(pair.WaitForLine("ready").Split(' ')[3], CultureInfo.InvariantCulture);
        long kernelKillsBefore = cgroup.KernelOomKills;
        using RunDaemon daemon = RunDaemon.Start("--cgroup", cgroup.Path, "--protect", "reapd-keep");

        // The allocator that pushes the group past both levels is the smaller process: the pair is chosen first.
        using HelperProcess hog = RunHogs.Start(cgroup, 200, rateMiBPerSecond: 256);
        JsonElement refused = daemon.WaitFor("signal", e => Pid(e) == pair.Pid);
        Assert.Equal("SharerExcluded", refused.GetProperty("result").GetString());
        Assert.Contains(sharer.ToString(CultureInfo.InvariantCulture), refused.GetProperty("detail").GetString());

        daemon.WaitFor("settle", e => Pid(e) == hog.Pid);
        Assert.True(hog.WaitForExit(10_000), "the next candidate was not killed");
        Assert.DoesNotContain(daemon.Named("signal"), e => Pid(e) == pair.Pid && e.GetProperty("result").GetString() == "Sent");
        Assert.False(pair.HasExited, "the pair sharing its mm with a protected process was killed");
        Assert.True(File.Exists($"/proc/{sharer}/stat"), "the protected sharer is gone");
        Assert.Equal(kernelKillsBefore, cgroup.KernelOomKills);
        daemon.StopCleanly();
    }

    private static int Pid(JsonElement e) => e.TryGetProperty("pid", out JsonElement pid) ? pid.GetInt32() : 0;
}
