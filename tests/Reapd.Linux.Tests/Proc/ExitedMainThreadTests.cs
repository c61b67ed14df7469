using System.Globalization;
using Reapd.Core.Proc;
using Reapd.Core.Selection;
using Reapd.Linux.Kill;
using Reapd.Linux.Proc;
using Reapd.Testing;

namespace Reapd.Linux.Tests.Proc;

/// <summary>
/// A process whose main thread called pthread_exit while a second thread holds its memory: the kernel ranks it by
/// its mm (find_lock_task_mm), so reapd must see it as a candidate with that memory, and can kill and reap it.
/// </summary>
public sealed class ExitedMainThreadTests
{
    private const long MiB = 1 << 20;
    private readonly ProcessReader _reader = new();

    [Fact]
    public void A_process_whose_main_thread_exited_is_a_candidate_ranked_by_the_memory_its_live_thread_holds()
    {
        using var cgroup = TestCgroup.Create(256 * MiB, "thread-exit");
        using var helper = HelperProcess.Start("thread_exit", ["--mib", "64", "--cgroup-procs", Path.Combine(cgroup.Path, "cgroup.procs")], "-pthread");
        int tid = int.Parse(helper.WaitForLine("ready").Split(' ')[3], CultureInfo.InvariantCulture);
        Assert.True(ProcFacts.WaitUntil(() => _reader.TryReadStat(helper.Pid, out ProcStat s) == ProcReadOutcome.Ok && s.IsZombie), "the main thread did not exit");

        // The leader's own status has no memory lines any more; a live thread's has.
        Assert.Equal(ProcReadOutcome.Ok, _reader.TryReadStatus(helper.Pid, out ProcStatus leader));
        Assert.False(leader.HasMm);
        Assert.Equal(ProcReadOutcome.Ok, _reader.TryReadStat(helper.Pid, out ProcStat stat));
        Assert.Equal(ProcReadOutcome.Ok, _reader.TryReadMemoryStatus(helper.Pid, stat.NumThreads, out ProcStatus held, out int holder));
        Assert.Equal(tid, holder);
        Assert.True(held.RssAnonKiB >= 64 * 1024, $"RssAnon {held.RssAnonKiB} KiB");

        var scanner = new ProcessScanner();
        Assert.Equal(ScanOutcome.Complete, scanner.ScanPids([helper.Pid], RankingScope.ForCgroupLimit(256 * MiB, 4, Environment.ProcessId), out ReadOnlySpan<Candidate> ranked));
        Assert.Equal(1, ranked.Length);
        Assert.Equal(ExclusionReason.None, ranked[0].Exclusion);
        Assert.True(ranked[0].RssAnonKiB >= 64 * 1024);
        Assert.Equal(1000, ranked[0].OomScoreAdj);
    }

    [Fact]
    public void A_process_whose_main_thread_exited_is_killed_its_sharer_search_compares_through_the_live_thread_and_its_memory_comes_back()
    {
        using var cgroup = TestCgroup.Create(256 * MiB, "thread-exit-kill");
        using var helper = HelperProcess.Start("thread_exit", ["--mib", "64", "--cgroup-procs", Path.Combine(cgroup.Path, "cgroup.procs")], "-pthread");
        helper.WaitForLine("ready");
        Assert.True(ProcFacts.WaitUntil(() => _reader.TryReadStat(helper.Pid, out ProcStat s) == ProcReadOutcome.Ok && s.IsZombie), "the main thread did not exit");
        long before = cgroup.UsageBytes;

        Assert.Equal(VictimOpenOutcome.Confirmed, Victim.TryOpen(helper.Pid, ProcFacts.StartTime(helper.Pid), _reader, out Victim? victim, Environment.ProcessId));
        using (victim)
        {
            // Not "no mm": kcmp is asked through the thread that holds it. (kcmp refuses PID 1 on this host, so an
            // exhaustive search may end KcmpNotPermitted.)
            Assert.Contains(victim!.FindSharers(_reader, out int found, exhaustive: true), new[] { SharerSearchOutcome.Completed, SharerSearchOutcome.KcmpNotPermitted });
            Assert.Equal(0, found);
        }

        KillReport report = KillProtocol.Run(helper.Pid, ProcFacts.StartTime(helper.Pid), new KillOptions(), _reader);
        Assert.Equal(SignalOutcome.Sent, report.Kill);
        Assert.Contains(report.Reap, new[] { ReapOutcome.Reaped, ReapOutcome.AlreadyExiting });
        Assert.True(report.Exited);
        Assert.True(cgroup.UsageBytes < before - (60 * MiB), $"usage {before} -> {cgroup.UsageBytes}");
    }
}
