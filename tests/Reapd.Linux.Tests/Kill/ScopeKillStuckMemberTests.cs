using System.Diagnostics;
using Reapd.Core.Policy;
using Reapd.Core.Proc;
using Reapd.Core.Selection;
using Reapd.Linux.Kill;
using Reapd.Linux.Proc;
using Reapd.Linux.Sensors;
using Reapd.Testing;

namespace Reapd.Linux.Tests.Kill;

/// <summary>
/// A cgroup kill scope prepared on the decision loop while a member's /proc/PID/cmdline blocks (tests/native/fuse_stuck.c
/// --mm-held: its mmap lock is held, docs/kernel.md E.1) and a protect rule looks at command lines. The loop passes the
/// scan's verdicts (<see cref="IRuleOutcomes"/>) and the command line is never read there: the member the scan found
/// unprotected joins the scope; one the scan has no verdict on refuses it (fail closed). Prepare runs on a thread of the
/// test with 10 s to answer, so a read that blocks fails the test instead of hanging it. The victim is a sleep the test
/// starts; nothing is killed (Prepare only finds and opens the members).
/// </summary>
[Collection(nameof(NoParallelCollection))]
public sealed class ScopeKillStuckMemberTests
{
    private const long MiB = 1L << 20;

    private readonly ProcessReader _reader = new();

    [Fact]
    public void A_member_whose_command_line_blocks_is_judged_by_the_scans_verdict_without_reading_it()
    {
        using TestCgroup cgroup = TestCgroup.Create(256 * MiB, "scopestuck");
        using FuseStuck stuck = FuseStuck.StartMmHeld(16, Path.Combine(cgroup.Path, "cgroup.procs"));
        using Process victim = StartSleep(cgroup);
        var scanned = new Verdicts();
        scanned.Add(_reader, stuck.VictimPid, ExclusionReason.None);
        scanned.Add(_reader, stuck.PeekerPid, ExclusionReason.None);

        using ScopeKill scope = PrepareWithin10s(victim.Id, scanned);

        Assert.Equal(ScopeKillOutcome.Killed, scope.Outcome);
        Assert.Equal([stuck.VictimPid, stuck.PeekerPid], scope.Members.Select(m => m.Pid).Order());
    }

    [Fact]
    public void A_member_whose_command_line_blocks_and_that_the_scan_did_not_judge_refuses_the_scope()
    {
        using TestCgroup cgroup = TestCgroup.Create(256 * MiB, "scopestuck");
        using FuseStuck stuck = FuseStuck.StartMmHeld(16, Path.Combine(cgroup.Path, "cgroup.procs"));
        using Process victim = StartSleep(cgroup);

        using ScopeKill scope = PrepareWithin10s(victim.Id, new Verdicts());

        Assert.Equal(ScopeKillOutcome.Refused, scope.Outcome);
        Assert.Contains(scope.RefusedBy?.Pid ?? 0, new[] { stuck.VictimPid, stuck.PeekerPid });
        Assert.Contains("could not be evaluated", scope.Describe(), StringComparison.Ordinal);
    }

    private ScopeKill PrepareWithin10s(int victimPid, IRuleOutcomes scanned)
    {
        RuleSet rules = RuleSet.Compile([new PolicyRule("keep sshd", RuleAction.Protect, new RuleMatch { Cmdline = "^/usr/sbin/sshd" }, new SourcePosition("test.toml", 1, 1))]);
        RankingScope exclusions = new RankingScope(0, 4, Environment.ProcessId).WithRules(rules);
        ScopeKill? prepared = null;
        var thread = new Thread(() => prepared = ScopeKill.Prepare(KillScope.Cgroup, victimPid, new ProcessReader(), exclusions, [], null,
            CgroupLocator.UnifiedMount(), TestCgroup.V1MemoryMount, scanned))
        { IsBackground = true };
        thread.Start();
        // A thread blocked in the read stays behind until the test aborts the FUSE connection (FuseStuck.Dispose).
        Assert.True(thread.Join(10_000), "preparing the scope blocked: it read a member's command line");
        return prepared!;
    }

    private static Process StartSleep(TestCgroup cgroup)
    {
        Process sleep = Process.Start(new ProcessStartInfo("sleep", "1000"))!;
        cgroup.Add(sleep.Id);
        return sleep;
    }

    /// <summary>A scan's verdicts as the daemon's actuator gives them: by pid and start time.</summary>
    private sealed class Verdicts : IRuleOutcomes
    {
        private readonly Dictionary<(int, ulong), ExclusionReason> _known = [];

        public void Add(ProcessReader reader, int pid, ExclusionReason exclusion)
        {
            Assert.Equal(ProcReadOutcome.Ok, reader.TryReadStat(pid, out ProcStat stat));
            _known[(pid, stat.StartTimeTicks)] = exclusion;
        }

        public bool TryGet(int pid, ulong startTimeTicks, out ExclusionReason exclusion) => _known.TryGetValue((pid, startTimeTicks), out exclusion);
    }
}
