using System.Diagnostics;
using System.Globalization;
using Reapd.Linux.Kill;
using Reapd.Testing;

namespace Reapd.Linux.Tests.Kill;

/// <summary>
/// memory.oom.group: which group the kernel would kill with a victim (a cgroup tree and /proc/PID/cgroup written
/// by the test, since this machine's cgroup2 has no memory controller), and cgroup.kill on this machine's real
/// cgroup2 hierarchy with real processes. The guest tests do both on a memory-controlled cgroup2.
/// </summary>
public sealed class OomGroupTests : IDisposable
{
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("reapd-oomgroup-");

    private string Mount => Path.Combine(_root.FullName, "cgroup");

    private string Proc => Path.Combine(_root.FullName, "proc");

    public void Dispose() => _root.Delete(recursive: true);

    [Theory]
    [InlineData("/", "/a")]
    [InlineData("/a", "/a")]
    [InlineData("/a/b", "/a/b")]
    [InlineData("/a/b/c", null)]
    public void The_group_is_the_highest_cgroup_with_oom_group_set_from_the_victim_up_to_the_scope(string scope, string? expected)
    {
        Tree(("/a", "1"), ("/a/b", "1"), ("/a/b/c", "0"));
        Victim(4242, "/a/b/c");
        Assert.Equal(expected, OomGroup.Find(4242, Mount, scope, Proc));
    }

    [Fact]
    public void A_cgroup_without_oom_group_between_two_that_have_it_does_not_stop_the_walk()
    {
        Tree(("/a", "1"), ("/a/b", "0"), ("/a/b/c", "1"));
        Victim(4242, "/a/b/c");
        Assert.Equal("/a", OomGroup.Find(4242, Mount, "/", Proc));
    }

    [Fact]
    public void Without_oom_group_anywhere_there_is_no_group()
    {
        Tree(("/a", "0"), ("/a/b", "0"));
        Victim(4242, "/a/b");
        Assert.Null(OomGroup.Find(4242, Mount, "/", Proc));
    }

    [Fact]
    public void A_cgroup_without_the_memory_controller_has_no_oom_group_file_and_counts_as_unset()
    {
        Tree(("/a", "1"), ("/a/b", null));
        Victim(4242, "/a/b");
        Assert.Equal("/a", OomGroup.Find(4242, Mount, "/", Proc));
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/elsewhere")]
    [InlineData("/a/bc")]
    public void A_victim_in_the_root_cgroup_or_outside_the_scope_has_no_group(string victimCgroup)
    {
        Tree(("/a", "1"), ("/a/b", "1"), ("/a/bc", "1"), ("/elsewhere", "1"));
        Victim(4242, victimCgroup);
        Assert.Null(OomGroup.Find(4242, Mount, victimCgroup == "/" ? "/" : "/a/b", Proc));
    }

    [Fact]
    public void A_victim_that_is_gone_or_in_a_removed_cgroup_has_no_group()
    {
        Tree(("/a", "1"));
        Assert.Null(OomGroup.Find(4242, Mount, "/", Proc));
        Victim(4243, "/a (deleted)");
        Assert.Null(OomGroup.Find(4243, Mount, "/", Proc));
    }

    [Fact]
    public void Killing_a_group_through_cgroup_kill_kills_every_process_of_its_subtree()
    {
        using UnifiedTestCgroup cgroup = UnifiedTestCgroup.Create("group-kill");
        Process[] members = [cgroup.StartSleeper(), cgroup.StartSleeper(cgroup.Child("x")), cgroup.StartSleeper(cgroup.Child("y"))];

        OomGroupKill result = OomGroup.Kill(cgroup.Mount, cgroup.RelativePath, Environment.ProcessId);

        Assert.Equal(OomGroupKillOutcome.Killed, result.Outcome);
        Assert.Equal(3, result.Processes);
        Assert.Equal(cgroup.RelativePath, result.Group);
        Assert.All(members, m => Assert.True(m.WaitForExit(10_000), $"member {m.Id} survived cgroup.kill"));
        Assert.Equal($"killed cgroup:{cgroup.RelativePath} (3 processes)", result.ToString());
    }

    [Fact]
    public void A_group_holding_reapd_itself_is_not_killed_through_cgroup_kill()
    {
        using UnifiedTestCgroup cgroup = UnifiedTestCgroup.Create("group-self");
        Process member = cgroup.StartSleeper();
        Process standInForReapd = cgroup.StartSleeper(cgroup.Child("daemon"));

        OomGroupKill result = OomGroup.Kill(cgroup.Mount, cgroup.RelativePath, standInForReapd.Id);

        Assert.Equal(OomGroupKillOutcome.ProtectedMember, result.Outcome);
        Assert.Equal(standInForReapd.Id, result.ProtectedPid);
        Assert.False(member.HasExited);
        Assert.False(standInForReapd.HasExited);
    }

    [Fact]
    public void A_group_that_does_not_exist_is_gone_not_an_exception()
    {
        using UnifiedTestCgroup cgroup = UnifiedTestCgroup.Create("group-gone");
        OomGroupKill result = OomGroup.Kill(cgroup.Mount, cgroup.RelativePath + "/none", Environment.ProcessId);
        Assert.Equal(OomGroupKillOutcome.Gone, result.Outcome);
    }

    private void Tree(params (string Path, string? OomGroup)[] cgroups)
    {
        Directory.CreateDirectory(Mount);
        foreach ((string path, string? flag) in cgroups)
        {
            string dir = Mount + path;
            Directory.CreateDirectory(dir);
            if (flag is not null)
            {
                File.WriteAllText(Path.Combine(dir, "memory.oom.group"), flag + "\n");
            }
        }
    }

    private void Victim(int pid, string cgroup)
    {
        string dir = Path.Combine(Proc, pid.ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "cgroup"), $"12:memory:/elsewhere\n0::{cgroup}\n");
    }
}
