using System.Text.Json;
using static Reapd.Guest.Tests.GuestTools;

namespace Reapd.Guest.Tests;

/// <summary>reapd with every capability, as root is in the guests (this machine's root lacks CAP_SYS_RESOURCE).</summary>
public sealed class SelfProtectionTests
{
    [Theory]
    [InlineData("6.1")]
    [InlineData("6.12")]
    public void With_every_capability_reapd_lowers_its_oom_score_adj_locks_its_memory_and_never_takes_a_process_at_minus_1000(string kernel)
    {
        GuestRun run = SharedGuests.Scenario(kernel, "self-protection");
        run.Check(() =>
        {
            JsonElement start = run.Named("start").Single();
            Assert.Equal("-900", Text(start, "oom_score_adj"));
            Assert.StartsWith("locked (current, future, on fault)", Text(start, "mlock"));
            Assert.Equal("nice -20", Text(start, "priority"));
            Assert.Equal(-900, run.ResultNumber("reapd_adj"));
            Assert.True(run.ResultNumber("reapd_vmlck_kib") > 0, "reapd has no locked memory");
            Assert.Equal(-20, run.ResultNumber("reapd_nice"));
            // 1 s PSI windows are accepted here: the 2 s fallback is for a root without CAP_SYS_RESOURCE.
            Assert.Contains("in 1000 ms", Text(start, "psi_triggers"));

            int protectedPid = (int)run.ResultNumber("protected_pid");
            Assert.Equal(-1000, run.ResultNumber("protected_adj"));
            Assert.Equal(0, run.ResultNumber("ls_exit"));
            using JsonDocument ls = JsonDocument.Parse(run.File("ls.json"));
            Assert.DoesNotContain(ls.RootElement.GetProperty("candidates").EnumerateArray(), c => Pid(c) == protectedPid);
            JsonElement excluded = ls.RootElement.GetProperty("excluded").EnumerateArray().Single(c => Pid(c) == protectedPid);
            Assert.Equal("oom-score-adj-min", Text(excluded, "reason"));

            int ramp = (int)run.ResultNumber("ramp_pid");
            Assert.All(run.Named("choice"), e => Assert.Equal(ramp, Pid(e)));
            Assert.All(run.Named("signal"), e => Assert.Equal(ramp, Pid(e)));
            Assert.Equal("yes", run.Result("protected_alive"));
            Assert.Equal("no", run.Result("ramp_alive"));
            Assert.Equal(0, run.ResultNumber("oom_kill_after"));
        });
    }
}
