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
    // The first scan ends at the deadline whatever its length (it is stuck in the blocked read); the second only has
    // to read one command line in it, which a loaded machine must not turn into a deadline.
    private const int DeadlineMs = 3000;

    [Fact]
    public void A_blocked_command_line_read_leaves_out_only_the_stuck_process_and_the_other_is_ranked()
    {
        using Scene scene = new("scancmdline", RuleAction.Prefer);
        scene.Scan();

        Assert.Equal(ScanEnd.Deadline, scene.Answer.End);
        Assert.Equal(scene.Stuck.VictimPid, scene.Answer.StuckPid);
        Assert.True(scene.Answer.StuckInDetail);
        Assert.Equal(1, scene.Answer.Skipped);
        Assert.Equal(1, scene.Answer.Ranked);
        Candidate first = scene.Ranked[0];
        Assert.Equal(scene.Hog.Pid, first.Pid);
        Assert.True(first.IsCandidate);
        // Its command line was not reached: the prefer rule on it is not counted yet, and the answer says so.
        Assert.True(first.RulesPending);
        Assert.Equal(first.BaseBadnessPages, first.BadnessPages);
        Assert.Equal(1, scene.Answer.RulesPending);

        // The next scan skips the process the first thread is still stuck in, and reads the hog's command line.
        scene.Scan();
        Assert.Equal(ScanEnd.SkippedStuck, scene.Answer.End);
        Assert.Equal(1, scene.Answer.Ranked);
        Assert.Equal(scene.Hog.Pid, scene.Ranked[0].Pid);
        Assert.False(scene.Ranked[0].RulesPending);
        Assert.True(scene.Ranked[0].BadnessPages > scene.Ranked[0].BaseBadnessPages, "the prefer rule on the command line did not apply");
        Assert.Equal(0, scene.Answer.RulesPending);
    }

    [Fact]
    public void A_process_whose_protect_rule_was_not_evaluated_by_the_deadline_is_no_candidate()
    {
        using Scene scene = new("scanprotect", RuleAction.Protect);
        scene.Scan();

        Assert.Equal(ScanEnd.Deadline, scene.Answer.End);
        Assert.Equal(scene.Stuck.VictimPid, scene.Answer.StuckPid);
        Assert.Equal(1, scene.Answer.Ranked);
        Assert.Equal(scene.Hog.Pid, scene.Ranked[0].Pid);
        // Fail closed: the rule might protect it, so it may not be chosen (before, an unreadable input unprotected it).
        Assert.Equal(ExclusionReason.ProtectUnevaluated, scene.Ranked[0].Exclusion);
        Assert.Equal(0, CandidateRanking.CountCandidates(scene.Ranked.AsSpan(0, scene.Answer.Ranked)));

        // Once its command line is read, the rule decides: protected.
        scene.Scan();
        Assert.Equal(1, scene.Answer.Ranked);
        Assert.Equal(scene.Hog.Pid, scene.Ranked[0].Pid);
        Assert.Equal(ExclusionReason.Protected, scene.Ranked[0].Exclusion);
    }

    /// <summary>
    /// The stuck process and the marked hog in a 256 MiB cgroup, listed stuck first to a started scanner, whose scope
    /// has one rule on the hog's command line (prefer or protect).
    /// </summary>
    private sealed class Scene : IDisposable
    {
        private readonly TestCgroup _cgroup;
        private readonly ScanService? _scans;
        private readonly RankingScope _scope;

        public Scene(string name, RuleAction action)
        {
            _cgroup = TestCgroup.Create(256 * MiB, name);
            try
            {
                string procs = Path.Combine(_cgroup.Path, "cgroup.procs");
                Stuck = FuseStuck.StartMmHeld(48, procs);
                Hog = HelperProcess.Start("hog", ["--mib", "8", "--cgroup-procs", procs, "--", "--marker"]);
                _ = Hog.WaitForLine(" ready ");
                _scans = new ScanService(null, DeadlineMs, [Stuck.VictimPid, Hog.Pid]);
                Assert.True(_scans.Start());
            }
            catch
            {
                // A set-up that failed half way still ends what it started, as the tests' using declarations did.
                Dispose();
                throw;
            }
            RuleSet rules = RuleSet.Compile([new PolicyRule("marked", action, new RuleMatch { Cmdline = "--marker" }, SourcePosition.BuiltIn)]);
            _scope = RankingScope.ForCgroupLimit(256 * MiB, Environment.SystemPageSize / 1024, Environment.ProcessId).WithRules(rules);
        }

        public FuseStuck Stuck { get; } = null!;

        public HelperProcess Hog { get; } = null!;

        public Candidate[] Ranked = new Candidate[4];

        public ScanAnswer Answer;

        public void Scan() => _scans!.Scan(_scope, ref Ranked, ref Answer);

        public void Dispose()
        {
            try
            {
                _scans?.Dispose();
                Hog?.Dispose();
                Stuck?.Dispose();
            }
            finally
            {
                _cgroup.Dispose();
            }
        }
    }
}
