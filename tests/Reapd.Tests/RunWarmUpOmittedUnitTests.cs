using System.Diagnostics;
using System.Text.Json;
using Reapd.Linux.Sensors;
using Reapd.Testing;

namespace Reapd.Tests;

/// <summary>
/// The warm-up kill (docs/reliability.md) runs on a child in reapd's own cgroup. With the cgroup-first choice on, a unit
/// marked user.oomd_omit (systemd's ManagedOOMPreference=omit) gives up no process, so when reapd's own unit is so
/// marked the warm-up chose nobody and the kill path stayed cold until a real emergency (the guest benchmark's runner
/// unit showed it: `sigterms=0 sigkills=0`). Here the published daemon, guarding the whole machine with the
/// cgroup-first choice on, starts inside a cgroup v2 unit of this machine's hierarchy marked omit; its lines are at 1 %
/// and 0.5 % of memory, far below anything this machine reaches, and it is stopped as soon as it has started.
/// </summary>
public sealed class RunWarmUpOmittedUnitTests
{
    [Fact]
    public void The_warm_up_kill_still_signals_its_child_when_reapds_own_unit_is_omitted_from_the_cgroup_first_choice()
    {
        string? mount = CgroupLocator.UnifiedMount();
        Assert.SkipWhen(mount is null, "needs a cgroup2 mount");
        Assert.SkipUnless(File.Exists("/usr/bin/python3"), "needs /usr/bin/python3 to set an extended attribute");
        string unit = Path.Combine(mount!, $"reapd-test-omit-{Environment.ProcessId}.service");
        Directory.CreateDirectory(unit);
        try
        {
            // python3's os.setxattr is setxattr(2), as systemd's cg_set_xattr.
            using (Process set = Process.Start("/usr/bin/python3", ["-c", "import os, sys; os.setxattr(sys.argv[1], 'user.oomd_omit', b'1')", unit])!)
            {
                set.WaitForExit();
                Assert.SkipUnless(set.ExitCode == 0, "this cgroup2 mount refuses user.* extended attributes");
            }
            string locked;
            using (RunDaemon daemon = RunDaemon.StartInCgroupDirectory(unit, "--cgroup-first", "on", "--term-percent", "1", "--kill-percent", "0.5"))
            {
                JsonElement start = daemon.Named("start")[0];
                Assert.Equal("on", start.GetProperty("cgroup_first").GetString());
                locked = start.GetProperty("mlock").GetString()!;
                daemon.StopCleanly();
            }
            TestContext.Current.TestOutputHelper?.WriteLine(locked);
            // The first pass went through the unit step and chose nobody; the second signalled and settled the child.
            Assert.Contains("warm-up kill: sigterms=0 sigkills=0", locked);
            Assert.Contains("the cgroup-first choice took nothing from reapd's own unit, so again without it: warm-up kill: sigterms=1 sigkills=1 reap=", locked);
            Assert.EndsWith("settled=yes", locked);
        }
        finally
        {
            // Every process in it has exited (the daemon and both warm-up children, collected): the directory can go.
            bool empty = ProcFacts.WaitUntil(() => File.ReadAllText(Path.Combine(unit, "cgroup.procs")).Length == 0);
            Directory.Delete(unit);
            Assert.True(empty, $"{unit} still had processes");
        }
    }
}
