using System.Diagnostics;
using System.Globalization;
using Reapd.Core.Policy;
using Reapd.Core.Proc;
using Reapd.Core.Selection;
using Reapd.Linux.Kill;
using Reapd.Linux.Proc;
using Reapd.Testing;

namespace Reapd.Linux.Tests.Kill;

/// <summary>
/// Kill scopes wider than the process, on real process trees the test starts: a shell in a session of its own (so its
/// process group is the tree and nothing of the test's) with one child in its process group and one child that left
/// for a session of its own (so it is in the subtree but not in the group). The victim is killed as the daemon kills
/// it (pidfd, identity check), then the scope's members. Every process is the test's own and is killed by pid at the end.
/// </summary>
[Collection(nameof(NoParallelCollection))]
public sealed class ScopeKillTests
{
    private const string TreeScript = """
        sleep 1000 & echo "group $!"
        ( exec setsid sleep 1000 ) & echo "session $!"
        wait
        """;

    private readonly ProcessReader _reader = new();
    private readonly RankingScope _exclusions = new(0, 4, Environment.ProcessId);

    [Fact]
    public void A_process_group_scope_kills_the_victims_group_and_spares_the_child_that_left_it()
    {
        using Tree tree = Tree.Start();
        using ScopeKill scope = KillWithScope(tree.Root, KillScope.ProcessGroup);

        Assert.Equal(ScopeKillOutcome.Killed, scope.Outcome);
        Assert.Equal("process-group:" + tree.Root.ToString(CultureInfo.InvariantCulture), scope.Target);
        ScopeMember member = Assert.Single(scope.Members);
        Assert.Equal(tree.GroupChild, member.Pid);
        Assert.Equal(SignalOutcome.Sent, member.KillOutcome);
        Assert.True(PidFdSyscalls.WaitForExit(member.PidFd, 10_000), "the group's child did not die");
        Assert.True(IsAlive(tree.SessionChild), "the child in its own session was killed");
    }

    [Fact]
    public void A_subtree_scope_kills_every_descendant_even_one_in_another_session()
    {
        using Tree tree = Tree.Start();
        using ScopeKill scope = KillWithScope(tree.Root, KillScope.Subtree);

        Assert.Equal(ScopeKillOutcome.Killed, scope.Outcome);
        Assert.Equal([tree.GroupChild, tree.SessionChild], scope.Members.Select(m => m.Pid).Order());
        Assert.All(scope.Members, m => Assert.True(PidFdSyscalls.WaitForExit(m.PidFd, 10_000), $"pid {m.Pid} did not die"));
        Assert.Equal(2, scope.Signalled);
    }

    [Fact]
    public void A_scope_that_reaches_a_protected_process_is_refused_and_the_victim_dies_alone()
    {
        // A protected name stands for every exclusion the scan applies (CandidateClassifier: PID 1, reapd, kernel
        // threads, oom_score_adj -1000, protected names): this machine's root lacks CAP_SYS_RESOURCE to set -1000.
        using Tree tree = Tree.Start();
        var exclusions = new RankingScope(0, 4, Environment.ProcessId, new ProtectedNames(["sleep"]));
        using ScopeKill scope = KillWithScope(tree.Root, KillScope.Subtree, exclusions: exclusions);

        Assert.Equal(ScopeKillOutcome.Refused, scope.Outcome);
        Assert.Contains(scope.RefusedBy?.Pid ?? 0, new[] { tree.GroupChild, tree.SessionChild });
        Assert.Contains("protected by name", scope.Describe(), StringComparison.Ordinal);
        Assert.All(scope.Members, m => Assert.Null(m.KillOutcome));
        Assert.True(tree.WaitForRootExit(), "the victim was not killed");
        Assert.True(IsAlive(tree.GroupChild) && IsAlive(tree.SessionChild), "a member of a refused scope was killed");
    }

    [Theory]
    [InlineData(RuleAction.Protect, ScopeKillOutcome.Refused)]
    [InlineData(RuleAction.Ignore, ScopeKillOutcome.Killed)]
    public void A_protect_rule_on_a_member_refuses_the_scope_and_an_ignore_rule_lets_it_die_with_it(RuleAction action, ScopeKillOutcome expected)
    {
        using Tree tree = Tree.Start();
        RuleSet rules = RuleSet.Compile([new PolicyRule("sleepers", action, new RuleMatch { Comm = "sleep" }, new SourcePosition("test.toml", 1, 1))]);
        using ScopeKill scope = KillWithScope(tree.Root, KillScope.Subtree, exclusions: _exclusions.WithRules(rules));

        Assert.Equal(expected, scope.Outcome);
        Assert.Equal(expected == ScopeKillOutcome.Killed, scope.Members.Count == 2 && scope.Members.All(m => m.KillOutcome == SignalOutcome.Sent));
        if (expected == ScopeKillOutcome.Killed)
        {
            Assert.All(scope.Members, m => Assert.True(PidFdSyscalls.WaitForExit(m.PidFd, 10_000), $"pid {m.Pid} did not die"));
        }
        else
        {
            Assert.True(IsAlive(tree.GroupChild) && IsAlive(tree.SessionChild), "a member of a refused scope was killed");
        }
    }

    [Fact]
    public void A_member_exclusion_from_the_caller_refuses_the_scope_like_a_protected_process()
    {
        using Tree tree = Tree.Start();
        int omitted = tree.GroupChild;
        using ScopeKill scope = KillWithScope(tree.Root, KillScope.ProcessGroup, pid => pid == omitted ? ExclusionReason.UnitOmitted : ExclusionReason.None);

        Assert.Equal(ScopeKillOutcome.Refused, scope.Outcome);
        Assert.Contains("oomd_omit", scope.Describe(), StringComparison.Ordinal);
        Assert.True(IsAlive(omitted));
    }

    [Fact]
    public void A_cgroup_scope_on_cgroup_v1_kills_every_process_of_the_victims_memory_cgroup_and_no_other()
    {
        using TestCgroup cgroup = TestCgroup.Create(64L << 20, "scope");
        using Tree tree = Tree.Start();
        using Tree bystander = Tree.Start();
        foreach (int pid in new[] { tree.Root, tree.GroupChild, bystander.SessionChild })
        {
            cgroup.Add(pid);
        }
        using ScopeKill scope = KillWithScope(tree.Root, KillScope.Cgroup, v2Mount: Reapd.Linux.Sensors.CgroupLocator.UnifiedMount(), v1Mount: TestCgroup.V1MemoryMount);

        Assert.Equal(ScopeKillOutcome.Killed, scope.Outcome);
        Assert.Equal("cgroup:" + cgroup.RelativePath, scope.Target);
        Assert.False(scope.UnifiedUnit);
        Assert.Null(scope.Freeze);
        Assert.Equal([tree.GroupChild, bystander.SessionChild], scope.Members.Select(m => m.Pid).Order());
        Assert.All(scope.Members, m => Assert.True(PidFdSyscalls.WaitForExit(m.PidFd, 10_000), $"pid {m.Pid} did not die"));
        Assert.True(IsAlive(tree.SessionChild), "a process outside the cgroup was killed");
        Assert.True(IsAlive(bystander.GroupChild), "a process outside the cgroup was killed");
    }

    [Fact]
    public void The_process_scope_prepares_nothing()
    {
        using Tree tree = Tree.Start();
        using ScopeKill scope = ScopeKill.Prepare(KillScope.Process, tree.Root, _reader, _exclusions, []);
        Assert.Equal(ScopeKillOutcome.NoOtherMembers, scope.Outcome);
        Assert.Empty(scope.Members);
    }

    [Fact]
    public void A_unit_frozen_before_reapd_ran_out_of_file_descriptors_is_still_thawed()
    {
        using UnifiedTestCgroup cgroup = UnifiedTestCgroup.Create("thawnofd");
        Process sleeper = cgroup.StartSleeper();
        Assert.Equal(CgroupFreezeOutcome.Frozen, CgroupFreeze.TryFreeze(cgroup.Path, 10_000, out CgroupFreeze? frozen, out _));
        using CgroupFreeze freeze = frozen!;

        // The state of a kill that opened one pidfd per member of a large unit: no fd left to open.
        (bool openFailed, bool thawed) = OpenFilesLimit.WithNoFreeDescriptor(() =>
        {
            bool failed;
            try
            {
                File.OpenHandle("/dev/null").Dispose();
                failed = false;
            }
            catch (IOException)
            {
                failed = true;
            }
            return (failed, freeze.Thaw());
        });

        Assert.True(openFailed, "the lowered limit still let a file be opened: the test did not reach EMFILE");
        Assert.True(thawed, $"the thaw failed (errno {freeze.ThawErrno})");
        Assert.Equal(0, freeze.ThawErrno);
        Assert.Equal("0", File.ReadAllText(Path.Combine(cgroup.Path, "cgroup.freeze")).Trim());
        Assert.False(sleeper.HasExited);
    }

    [Fact]
    public void A_unit_member_that_cannot_be_read_for_lack_of_file_descriptors_refuses_the_scope_instead_of_counting_as_gone()
    {
        using UnifiedTestCgroup cgroup = UnifiedTestCgroup.Create("scopenofd");
        Process victim = cgroup.StartSleeper();
        Process first = cgroup.StartSleeper();
        Process second = cgroup.StartSleeper();
        // Once with room, so that whatever the runtime opens and keeps on a first use is open before the limit drops.
        using (ScopeKill warm = ScopeKill.Prepare(KillScope.Cgroup, victim.Id, _reader, _exclusions, [], v2Mount: cgroup.Mount))
        {
            Assert.Equal(ScopeKillOutcome.Killed, warm.Outcome);
            Assert.Equal(2, warm.Members.Count);
        }

        // Room for one fd: the reads before the first member close theirs, the first member's pidfd takes it, and the
        // second member's /proc read fails with EMFILE. It lives: the scope must not say Killed without it.
        using ScopeKill scope = OpenFilesLimit.WithFreeDescriptors(1,
            () => ScopeKill.Prepare(KillScope.Cgroup, victim.Id, _reader, _exclusions, [], v2Mount: cgroup.Mount));

        Assert.Equal(ScopeKillOutcome.Refused, scope.Outcome);
        Assert.NotNull(scope.RefusedBy);
        Assert.Contains(scope.RefusedBy!.Value.Pid, new[] { first.Id, second.Id });
        Assert.Contains("file descriptors", scope.Describe(), StringComparison.Ordinal);
        scope.KillMembers(); // refused: signals nothing
        Assert.True(IsAlive(first.Id) && IsAlive(second.Id), "a refused scope signalled a member");
    }

    [Fact]
    public void A_process_that_took_an_exited_members_pid_before_the_freeze_is_checked_and_killed_as_a_newcomer()
    {
        Root.Require();
        using UnifiedTestCgroup cgroup = UnifiedTestCgroup.Create("scopereuse");
        Process victimProcess = cgroup.StartSleeper();
        Process old = cgroup.StartSleeper();
        using Victim victim = ConfirmedVictim.Open(_reader, victimProcess.Id);
        using ScopeKill scope = ScopeKill.Prepare(KillScope.Cgroup, victimProcess.Id, _reader, _exclusions, [], v2Mount: cgroup.Mount);
        Assert.Equal([old.Id], scope.Members.Select(m => m.Pid));
        ulong oldStart = scope.Members[0].StartTimeTicks;

        // The member exits after the check and another process takes its number (and joins the unit).
        int pid = old.Id;
        old.Kill();
        Assert.True(old.WaitForExit(10_000));
        Assert.True(ProcFacts.WaitPastTick(oldStart));
        using var newcomer = HelperProcess.Start("pid_at", [pid.ToString(CultureInfo.InvariantCulture)]);
        newcomer.WaitForLine("ready");
        Assert.Equal(ProcReadOutcome.Ok, _reader.TryReadStat(pid, out ProcStat taken));
        Assert.NotEqual(oldStart, taken.StartTimeTicks);
        File.WriteAllText(Path.Combine(cgroup.Path, "cgroup.procs"), pid.ToString(CultureInfo.InvariantCulture));

        scope.FreezeAndRecheck(boundMs: 10_000);
        Assert.Equal(CgroupFreezeOutcome.Frozen, scope.Freeze);
        Assert.Equal(ScopeKillOutcome.Killed, scope.Outcome);
        Assert.Contains(scope.Members, m => m.Pid == pid && m.StartTimeTicks == taken.StartTimeTicks);
        Assert.Equal(SignalOutcome.Sent, victim.Kill(_reader));
        scope.KillMembers();

        // pid_at's launcher exits when the child with the pid is killed.
        Assert.True(newcomer.WaitForExit(10_000), "the newcomer with the old member's pid outlived the cgroup scope");
        Assert.Equal("0", File.ReadAllText(Path.Combine(cgroup.Path, "cgroup.freeze")).Trim());
    }

    [Fact]
    public void A_cgroup_scope_whose_deadline_passes_before_the_re_check_is_thawed_and_kills_only_the_members_checked_before_the_freeze()
    {
        using UnifiedTestCgroup cgroup = UnifiedTestCgroup.Create("scopedeadline");
        Process victimProcess = cgroup.StartSleeper();
        Process member = cgroup.StartSleeper();
        using Victim victim = ConfirmedVictim.Open(_reader, victimProcess.Id);
        using ScopeKill scope = ScopeKill.Prepare(KillScope.Cgroup, victimProcess.Id, _reader, _exclusions, [], v2Mount: cgroup.Mount);
        Process joiner = cgroup.StartSleeper(); // after the check

        // A bound of 0 has passed by the time the freeze or the re-check looks: whichever sees it, the unit is thawed
        // and the joiner, which no check saw, is no member.
        scope.FreezeAndRecheck(boundMs: 0);
        Assert.Equal(CgroupFreezeOutcome.TimedOut, scope.Freeze);
        Assert.Equal("0", File.ReadAllText(Path.Combine(cgroup.Path, "cgroup.freeze")).Trim());
        Assert.Equal(ScopeKillOutcome.Killed, scope.Outcome);
        Assert.Equal([member.Id], scope.Members.Select(m => m.Pid));
        Assert.Equal(SignalOutcome.Sent, victim.Kill(_reader));
        scope.KillMembers();

        Assert.True(member.WaitForExit(10_000), "the member checked before the freeze outlived the scope");
        Assert.True(IsAlive(joiner.Id), "a process no check saw was killed");
    }

    private ScopeKill KillWithScope(int victimPid, KillScope kind, Func<int, ExclusionReason>? exclusion = null, string? v2Mount = null, string? v1Mount = null,
        RankingScope? exclusions = null)
    {
        using Victim victim = ConfirmedVictim.Open(_reader, victimPid);
        ScopeKill scope = ScopeKill.Prepare(kind, victimPid, _reader, exclusions ?? _exclusions, [], exclusion, v2Mount, v1Mount);
        Assert.Equal(SignalOutcome.Sent, victim.Kill(_reader));
        scope.KillMembers();
        return scope;
    }

    private bool IsAlive(int pid) => _reader.TryReadStat(pid, out ProcStat stat) == ProcReadOutcome.Ok && !stat.IsZombie;

    /// <summary>setsid sh: the shell leads a new session and process group; its children are listed on stdout.</summary>
    private sealed class Tree : IDisposable
    {
        private readonly Process _root;

        private Tree(Process root, int groupChild, int sessionChild)
        {
            _root = root;
            GroupChild = groupChild;
            SessionChild = sessionChild;
        }

        public int Root => _root.Id;

        public int GroupChild { get; }

        public int SessionChild { get; }

        public static Tree Start()
        {
            var start = new ProcessStartInfo("setsid", ["/bin/sh", "-c", TreeScript]) { RedirectStandardOutput = true };
            Process root = Process.Start(start)!;
            int group = 0, session = 0;
            while ((group == 0 || session == 0) && root.StandardOutput.ReadLine() is string line)
            {
                string[] parts = line.Split(' ');
                int pid = int.Parse(parts[1], CultureInfo.InvariantCulture);
                _ = parts[0] == "group" ? group = pid : session = pid;
            }
            Assert.True(group > 0 && session > 0, "the tree did not start");
            // The shell prints a child's pid after the fork, before the child runs setsid or execs sleep: until then it
            // is a copy of the shell (named "sh", in the shell's session). Wait until both children are sleep, the
            // session child leading its own session, or a test that protects "sleep" sees an unprotected shell.
            var reader = new ProcessReader();
            bool ready = SpinWait.SpinUntil(() => IsSleep(reader, group) && IsSleep(reader, session)
                && reader.TryReadStat(session, out ProcStat s) == ProcReadOutcome.Ok && s.ProcessGroupId == session, 10_000);
            Assert.True(ready, "the tree's children did not exec sleep");
            return new Tree(root, group, session);
        }

        public bool WaitForRootExit() => _root.WaitForExit(10_000);

        private static bool IsSleep(ProcessReader reader, int pid) =>
            reader.TryReadStat(pid, out ProcStat stat) == ProcReadOutcome.Ok && stat.Name.ToString() == "sleep";

        public void Dispose()
        {
            foreach (int pid in new[] { GroupChild, SessionChild })
            {
                try
                {
                    using Process p = Process.GetProcessById(pid);
                    p.Kill();
                }
                catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
                {
                    // already gone
                }
            }
            if (!_root.HasExited)
            {
                _root.Kill();
            }
            _root.WaitForExit(10_000);
            _root.Dispose();
        }
    }
}
