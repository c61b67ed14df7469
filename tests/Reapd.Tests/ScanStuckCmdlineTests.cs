using Reapd.Core.Policy;
using Reapd.Core.Selection;
using Reapd.Daemon;
using Reapd.Testing;

namespace Reapd.Tests;

/// <summary>
/// The daemon's scanner (<see cref="ScanService"/>, the real threads and deadline) with rules on command lines, over
/// two real processes listed stuck one first: tests/native/fuse_stuck.c --mm-held, whose /proc/PID/cmdline blocks
/// (docs/kernel.md E.1), and a small hog whose command line carries a marker. The scan publishes every process's cheap
/// facts before it reads any command line, so the blocked read costs the answer only the stuck process: the hog is
/// ranked, the stuck process is named and counted as skipped. A protect rule that could not be evaluated by then fails
/// closed. The stuck process has the larger memory, so the scanner reads its command line first; that order is what
/// the test depends on, not timing.
/// </summary>
public sealed class ScanStuckCmdlineTests
{
    private const long MiB = 1L << 20;
    private const int DeadlineMs = 300;

    [Fact]
    public void A_blocked_command_line_read_leaves_out_only_the_stuck_process_and_the_other_is_ranked()
    {
        RuleSet rules = RuleSet.Compile([new PolicyRule("marked", RuleAction.Prefer, new RuleMatch { Cmdline = "--marker" }, SourcePosition.BuiltIn)]);
        using TestCgroup cgroup = TestCgroup.Create(256 * MiB, "scancmdline");
        using FuseStuck stuck = FuseStuck.StartMmHeld(48, Path.Combine(cgroup.Path, "cgroup.procs"));
        using HelperProcess hog = StartMarkedHog(cgroup);
        using var scans = new ScanService(null, DeadlineMs, [stuck.VictimPid, hog.Pid]);
        Assert.True(scans.Start());
        RankingScope scope = Scope().WithRules(rules);

        Candidate[] ranked = new Candidate[4];
        ScanAnswer answer = default;
        scans.Scan(scope, ref ranked, ref answer);

        Assert.Equal(ScanEnd.Deadline, answer.End);
        Assert.Equal(stuck.VictimPid, answer.StuckPid);
        Assert.True(answer.StuckInDetail);
        Assert.Equal(1, answer.Skipped);
        Assert.Equal(1, answer.Ranked);
        Candidate first = ranked[0];
        Assert.Equal(hog.Pid, first.Pid);
        Assert.True(first.IsCandidate);
        // Its command line was not reached: the prefer rule on it is not counted yet, and the answer says so.
        Assert.True(first.RulesPending);
        Assert.Equal(first.BaseBadnessPages, first.BadnessPages);
        Assert.Equal(1, answer.RulesPending);

        // The next scan skips the process the first thread is still stuck in, and reads the hog's command line.
        scans.Scan(scope, ref ranked, ref answer);
        Assert.Equal(ScanEnd.SkippedStuck, answer.End);
        Assert.Equal(1, answer.Ranked);
        Assert.Equal(hog.Pid, ranked[0].Pid);
        Assert.False(ranked[0].RulesPending);
        Assert.True(ranked[0].BadnessPages > ranked[0].BaseBadnessPages, "the prefer rule on the command line did not apply");
        Assert.Equal(0, answer.RulesPending);
    }

    [Fact]
    public void A_process_whose_protect_rule_was_not_evaluated_by_the_deadline_is_no_candidate()
    {
        RuleSet rules = RuleSet.Compile([new PolicyRule("keep marked", RuleAction.Protect, new RuleMatch { Cmdline = "--marker" }, SourcePosition.BuiltIn)]);
        using TestCgroup cgroup = TestCgroup.Create(256 * MiB, "scanprotect");
        using FuseStuck stuck = FuseStuck.StartMmHeld(48, Path.Combine(cgroup.Path, "cgroup.procs"));
        using HelperProcess hog = StartMarkedHog(cgroup);
        using var scans = new ScanService(null, DeadlineMs, [stuck.VictimPid, hog.Pid]);
        Assert.True(scans.Start());
        RankingScope scope = Scope().WithRules(rules);

        Candidate[] ranked = new Candidate[4];
        ScanAnswer answer = default;
        scans.Scan(scope, ref ranked, ref answer);

        Assert.Equal(ScanEnd.Deadline, answer.End);
        Assert.Equal(stuck.VictimPid, answer.StuckPid);
        Assert.Equal(1, answer.Ranked);
        Assert.Equal(hog.Pid, ranked[0].Pid);
        // Fail closed: the rule might protect it, so it may not be chosen (before, an unreadable input unprotected it).
        Assert.Equal(ExclusionReason.ProtectUnevaluated, ranked[0].Exclusion);
        Assert.Equal(0, CandidateRanking.CountCandidates(ranked.AsSpan(0, answer.Ranked)));

        // Once its command line is read, the rule decides: protected.
        scans.Scan(scope, ref ranked, ref answer);
        Assert.Equal(1, answer.Ranked);
        Assert.Equal(hog.Pid, ranked[0].Pid);
        Assert.Equal(ExclusionReason.Protected, ranked[0].Exclusion);
    }

    private static HelperProcess StartMarkedHog(TestCgroup cgroup)
    {
        HelperProcess hog = HelperProcess.Start("hog", ["--mib", "8", "--cgroup-procs", Path.Combine(cgroup.Path, "cgroup.procs"), "--", "--marker"]);
        _ = hog.WaitForLine(" ready ");
        return hog;
    }

    private static RankingScope Scope() => RankingScope.ForCgroupLimit(256 * MiB, Environment.SystemPageSize / 1024, Environment.ProcessId);
}
