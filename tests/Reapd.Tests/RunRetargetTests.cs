using System.Text.Json;
using Reapd.Testing;

namespace Reapd.Tests;

/// <summary>
/// The bench's small-and-big emergency in a 512 MiB child memory cgroup: a small hog holds memory, a big one ramps.
/// When the term level is crossed the small one is still the top candidate and gets the SIGTERM (which it ignores);
/// by the time the kill level is crossed the big one has outgrown it. The SIGKILL must go to the big one, and only
/// to it: killing the SIGTERMed small hog first would free too little and make the big one's kill a second one.
/// </summary>
public sealed class RunRetargetTests
{
    private const long MiB = 1L << 20;

    [Fact]
    public void A_SIGTERMed_victim_outgrown_before_the_kill_level_is_released_and_only_the_bigger_hog_dies()
    {
        using TestCgroup cgroup = TestCgroup.Create(512 * MiB, "retarget");
        // Term level at 40 % available (usage past ~307 MiB), kill level at 20 % (usage past ~410 MiB). With the small
        // hog at 180 MiB, the big one crosses the term level at ~127 MiB (smaller) and the kill level at ~230 MiB
        // (bigger), with about 50 MiB of margin on each side.
        using HelperProcess small = RunHogs.Start(cgroup, 180);
        small.WaitForLine(" ready ");
        long kernelKillsBefore = cgroup.KernelOomKills;
        using RunDaemon daemon = RunDaemon.Start("--cgroup", cgroup.Path, "--term-percent", "40", "--kill-percent", "20", "--grace", "60s");

        using HelperProcess big = RunHogs.Start(cgroup, 300, rateMiBPerSecond: 64);
        JsonElement settle = daemon.WaitFor("settle", e => Pid(e) == big.Pid);
        Assert.True(big.WaitForExit(10_000), "the big hog is still alive");

        JsonElement term = daemon.Named("signal").Single(e => e.GetProperty("signal").GetString() == "SIGTERM");
        Assert.Equal(small.Pid, Pid(term));
        JsonElement release = daemon.Named("release").Single();
        Assert.Equal(small.Pid, Pid(release));
        JsonElement kill = daemon.Named("signal").Single(e => e.GetProperty("signal").GetString() == "SIGKILL");
        Assert.Equal(big.Pid, Pid(kill));
        Assert.Equal("Sent", kill.GetProperty("result").GetString());
        Assert.Contains(settle.GetProperty("reason").GetString(), new[] { "reaped", "exited" });

        Assert.False(small.HasExited, "the small hog was killed too: a second victim");
        Assert.Contains(small.Pid, cgroup.Pids);
        Assert.Equal(kernelKillsBefore, cgroup.KernelOomKills);
        daemon.StopCleanly();
    }

    private static int Pid(JsonElement e) => e.TryGetProperty("pid", out JsonElement pid) ? pid.GetInt32() : -1;
}
