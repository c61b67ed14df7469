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
        GuestRun run = SharedGuests.Scenario(kernel, "cgroup-max");
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
            // Settled on the kernel's word: the reap freed it, or the victim exited.
            Assert.Contains(Text(run.Named("settle").Single(), "reason"), new[] { "reaped", "exited" });
            Assert.True(run.ResultNumber("usage_after_mib") < 128, $"{run.Result("usage_after_mib")} MiB left in the group after the kill");
            Assert.Equal(0, run.ResultNumber("reapd_exit"));
        });
    }

    [Theory]
    [InlineData("6.1")]
    [InlineData("6.12")]
    public void A_hog_growing_into_memory_high_alone_is_killed_by_reapd_which_takes_high_as_the_limit(string kernel)
    {
        GuestRun run = SharedGuests.Scenario(kernel, "cgroup-high");
        run.Check(() =>
        {
            Assert.Equal("max", run.Result("memory_max"));
            Assert.Equal(256.0, run.Named("start").Single().GetProperty("total_mib").GetDouble());
            int hog = (int)run.ResultNumber("hog_pid");
            Assert.Equal(hog, Pid(run.Named("signal").Single(e => Text(e, "signal") == "SIGKILL")));
            Assert.Equal("no", run.Result("hog_alive"));
            // Whether the kernel throttled the group before the kill (memory.events high) depends on the guest's speed:
            // it is recorded, not asserted. Over high the kernel only throttles; it never OOM-kills.
            _ = run.ResultNumber("high_events");
            Assert.Equal(run.ResultNumber("oom_kill_before"), run.ResultNumber("oom_kill_after"));
        });
    }

    [Theory]
    [InlineData("6.1")]
    [InlineData("6.12")]
    public void Of_a_big_hog_and_a_small_ramping_one_only_the_big_one_dies(string kernel)
    {
        GuestRun run = SharedGuests.Scenario(kernel, "cgroup-small-big");
        run.Check(() =>
        {
            int big = (int)run.ResultNumber("big_pid");
            Assert.Equal(big, Pid(run.Named("choice").First()));
            Assert.All(run.Named("signal"), e => Assert.Equal(big, Pid(e)));
            Assert.Equal("no", run.Result("big_alive"));
            Assert.Equal("yes", run.Result("small_alive"));
            Assert.Equal(run.ResultNumber("oom_kill_before"), run.ResultNumber("oom_kill_after"));
        });
    }

    [Theory]
    [InlineData("6.1")]
    [InlineData("6.12")]
    public void A_victim_stuck_on_a_FUSE_read_is_reaped_without_exiting_and_nothing_else_dies(string kernel)
    {
        GuestRun run = SharedGuests.Scenario(kernel, "cgroup-fuse");
        run.Check(() =>
        {
            Assert.Equal("yes", run.Result("dev_fuse"));
            int victim = (int)run.ResultNumber("victim_pid");
            JsonElement reap = run.Named("reap").Single();
            Assert.Equal(victim, Pid(reap));
            Assert.Equal("Reaped", Text(reap, "result"));
            JsonElement settle = run.Named("settle").Single();
            Assert.Equal("reaped", Text(settle, "reason"));
            Assert.False(settle.GetProperty("gone").GetBoolean(), "the stuck victim exited");
            Assert.All(run.Named("signal"), e => Assert.Equal(victim, Pid(e)));
            Assert.Equal("yes", run.Result("victim_exists"));
            Assert.Equal("yes", run.Result("hog_alive"));
            Assert.True(run.ResultNumber("usage_after_mib") < 200, $"{run.Result("usage_after_mib")} MiB: the stuck victim's memory did not come back");
            Assert.Equal(run.ResultNumber("oom_kill_before"), run.ResultNumber("oom_kill_after"));
        });
    }

    [Theory]
    [InlineData("6.1")]
    [InlineData("6.12")]
    public void A_victim_in_a_memory_oom_group_takes_its_group_with_it_through_cgroup_kill_unless_a_member_is_at_minus_1000(string kernel)
    {
        GuestRun run = SharedGuests.Scenario(kernel, "cgroup-oom-group");
        run.Check(() =>
        {
            Assert.Equal("memory.events (poll)", Text(run.Named("start").Single(), "cgroup_events"));
            int hog = (int)run.ResultNumber("hog_pid"), hog2 = (int)run.ResultNumber("hog2_pid");
            JsonElement groupKill = run.Named("signal").Single(e => Pid(e) == hog && Text(e, "signal") == "SIGKILL");
            Assert.Equal("cgroup:/reapd-group/job", Text(groupKill, "scope"));
            Assert.Equal(2, groupKill.GetProperty("group_processes").GetInt32());
            Assert.Equal("no", run.Result("helper_alive"));
            Assert.Equal("0", run.Result("job_populated"));

            JsonElement single = run.Named("signal").Single(e => Pid(e) == hog2 && Text(e, "signal") == "SIGKILL");
            Assert.False(single.TryGetProperty("scope", out _), "the guarded group was killed as a whole");
            Assert.StartsWith("not killed as a group: cgroup:/reapd-group/guarded holds protected pid ", Text(single, "group"));
            Assert.Equal("no", run.Result("hog2_alive"));
            Assert.Equal("yes", run.Result("keeper_alive"));
            Assert.Equal("yes", run.Result("bystander_alive"));
            Assert.All(run.Named("signal"), e => Assert.Contains(Pid(e), new[] { hog, hog2 }));
            Assert.Equal(0, run.ResultNumber("oom_kill_after"));
            Assert.Equal(run.ResultNumber("oom_group_kill_before"), run.ResultNumber("oom_group_kill_after"));
        });
    }
}
