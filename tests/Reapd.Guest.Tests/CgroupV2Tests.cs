using System.Text.Json;
using static Reapd.Guest.Tests.GuestTools;

namespace Reapd.Guest.Tests;

/// <summary>`reapd run --cgroup` on the cgroup v2 unified hierarchy of Debian's 6.1 and 6.12 kernels, in QEMU guests.</summary>
public sealed class CgroupV2Tests
{
    [Theory]
    [InlineData("6.1")]
    [InlineData("6.12")]
    public void A_hog_past_memory_max_is_killed_by_reapd_before_the_memcg_OOM_killer(string kernel)
    {
        GuestRun run = QemuGuest.Run(kernel, "cgroup-max", new GuestOptions(), Env());
        run.Check(() =>
        {
            JsonElement start = run.Named("start").Single();
            Assert.StartsWith("cgroup v2 ", Text(start, "scope"));
            int hog = (int)run.ResultNumber("hog_pid");
            JsonElement kill = run.Named("signal").Single(e => Text(e, "signal") == "SIGKILL");
            Assert.Equal(hog, Pid(kill));
            Assert.Equal("no", run.Result("hog_alive"));
            Assert.Equal("yes", run.Result("bystander_alive"));
            Assert.Equal(run.ResultNumber("oom_kill_before"), run.ResultNumber("oom_kill_after"));
            Assert.All(run.Named("signal"), e => Assert.Equal(hog, Pid(e)));
            Assert.Equal("memory-back", Text(run.Named("settle").Single(), "reason"));
            Assert.True(run.ResultNumber("usage_after_mib") < 128, $"{run.Result("usage_after_mib")} MiB left in the group after the kill");
            Assert.Equal(0, run.ResultNumber("reapd_exit"));
        });
    }
}
