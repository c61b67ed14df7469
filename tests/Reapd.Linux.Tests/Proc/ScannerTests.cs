using Reapd.Core.Proc;
using Reapd.Core.Selection;
using Reapd.Linux.Proc;
using Reapd.Testing;

namespace Reapd.Linux.Tests.Proc;

public sealed class ScannerTests
{
    [Fact]
    public void A_scan_of_the_fixture_root_ranks_the_hog_first_and_gives_every_exclusion_its_reason()
    {
        var scanner = new ProcessScanner(ProcFixtures.Root);
        using var meminfo = MemInfoReader.Open(ProcFixtures.Root);
        Assert.Equal(ProcReadOutcome.Ok, meminfo.TryRead(out MemInfo info));
        Assert.Equal(ScanOutcome.Complete, scanner.ScanAll(RankingScope.ForSystem(info, 4, selfPid: ProcFixtures.NameWithParens), out ReadOnlySpan<Candidate> ranked));
        Assert.Equal(8, ranked.Length);
        Assert.Equal(ProcFixtures.Hog, ranked[0].Pid);
        Assert.Equal(ExclusionReason.Self, Find(ranked, ProcFixtures.NameWithParens).Exclusion);
        Assert.Equal(ExclusionReason.Init, Find(ranked, ProcFixtures.Init).Exclusion);
        Assert.Equal(ExclusionReason.KernelThread, Find(ranked, ProcFixtures.KernelThread).Exclusion);
        Assert.Equal(ExclusionReason.NoMemory, Find(ranked, ProcFixtures.Zombie).Exclusion);
        Assert.Equal(ExclusionReason.OomScoreAdjMin, Find(ranked, ProcFixtures.OomScoreAdjMin).Exclusion);
    }

    [Fact]
    public void A_scan_of_the_live_proc_never_makes_init_kernel_threads_or_itself_a_candidate()
    {
        var scanner = new ProcessScanner();
        Assert.Equal(ScanOutcome.Complete, scanner.ScanAll(new RankingScope(6_000_000, 4, Environment.ProcessId), out ReadOnlySpan<Candidate> ranked));
        Assert.True(ranked.Length > 10);
        Assert.Equal(ExclusionReason.Init, Find(ranked, 1).Exclusion);
        Assert.Equal(ExclusionReason.KernelThread, Find(ranked, 2).Exclusion);
        Assert.Equal(ExclusionReason.Self, Find(ranked, Environment.ProcessId).Exclusion);
        foreach (Candidate candidate in ranked)
        {
            if (candidate.IsCandidate)
            {
                Assert.NotEqual(1, candidate.Pid);
                Assert.True(candidate.RssKiB > 0, $"candidate {candidate.Pid} has no memory");
                Assert.NotEqual(-1000, candidate.OomScoreAdj);
            }
        }
    }

    [Fact]
    public void A_warm_scan_of_the_live_proc_allocates_nothing()
    {
        var scanner = new ProcessScanner();
        var scope = new RankingScope(6_000_000, 4, Environment.ProcessId);
        scanner.ScanAll(scope, out _);
        // Three scans, each measured on its own (ThreadAllocation).
        Assert.Equal(0, ThreadAllocation.Measure(3, () => scanner.ScanAll(scope, out _)));
    }

    [Fact]
    public void The_pids_of_a_cgroup_tree_include_its_child_cgroups_and_scan_to_their_hogs()
    {
        using var cgroup = TestCgroup.Create(256L << 20, "tree");
        string child = Path.Combine(cgroup.Path, "child");
        Directory.CreateDirectory(child);
        try
        {
            using var top = HelperProcess.Start("hog", ["--mib", "8", "--cgroup-procs", Path.Combine(cgroup.Path, "cgroup.procs")]);
            using var nested = HelperProcess.Start("hog", ["--mib", "16", "--cgroup-procs", Path.Combine(child, "cgroup.procs")]);
            top.WaitForLine("ready");
            nested.WaitForLine("ready");

            var pidsReader = new CgroupPidsReader(cgroup.Path);
            Assert.Equal(ProcReadOutcome.Ok, pidsReader.TryRead(out ReadOnlySpan<int> pids));
            Assert.Equal(new[] { nested.Pid, top.Pid }.Order(), pids.ToArray().Order());

            var scanner = new ProcessScanner();
            Assert.Equal(ScanOutcome.Complete, scanner.ScanPids(pids, RankingScope.ForCgroupLimit(256L << 20, 4, Environment.ProcessId), out ReadOnlySpan<Candidate> ranked));
            Assert.Equal(2, ranked.Length);
            Assert.Equal(nested.Pid, ranked[0].Pid);
            Assert.Equal(1000, ranked[0].OomScoreAdj);
            Assert.True(ranked[0].RssAnonKiB >= 16 * 1024);
            Assert.Equal(((ranked[0].RssKiB + ranked[0].SwapKiB + ranked[0].PageTablesKiB) / 4) + (1000 * (65536 / 1000)), ranked[0].BadnessPages);
        }
        finally
        {
            KillAll(child);
            RemoveWithRetries(child);
        }
    }

    [Fact]
    public void A_removed_cgroup_reads_as_gone()
    {
        var reader = new CgroupPidsReader("/sys/fs/cgroup/memory/reapd-no-such-cgroup");
        Assert.Equal(ProcReadOutcome.Gone, reader.TryRead(out _));
    }

    private static void KillAll(string cgroupDirectory)
    {
        if (File.Exists(Path.Combine(cgroupDirectory, "cgroup.procs")))
        {
            foreach (string line in File.ReadAllLines(Path.Combine(cgroupDirectory, "cgroup.procs")))
            {
                using var process = System.Diagnostics.Process.GetProcessById(int.Parse(line, System.Globalization.CultureInfo.InvariantCulture));
                process.Kill();
            }
        }
    }

    private static void RemoveWithRetries(string directory)
    {
        for (int i = 0; i < 200 && Directory.Exists(directory); i++)
        {
            try
            {
                Directory.Delete(directory);
            }
            catch (IOException)
            {
                Thread.Sleep(25);
            }
        }
    }

    private static Candidate Find(ReadOnlySpan<Candidate> ranked, int pid)
    {
        foreach (Candidate candidate in ranked)
        {
            if (candidate.Pid == pid)
            {
                return candidate;
            }
        }
        throw new Xunit.Sdk.XunitException($"pid {pid} not in the scan");
    }
}

/// <summary>Out of file descriptors during a scan: an outcome, never an exception, never a silently shorter ranking.</summary>
[Collection(nameof(NoParallelCollection))]
public sealed class ScanOutOfFileDescriptorsTests
{
    [Fact]
    public void A_scan_with_no_file_descriptor_left_says_out_of_file_descriptors_instead_of_throwing()
    {
        var scanner = new ProcessScanner();
        var scope = new RankingScope(6_000_000, 4, Environment.ProcessId);
        Assert.Equal(ScanOutcome.Complete, scanner.ScanAll(scope, out _));

        (ScanOutcome all, int allCount, ScanOutcome some, int someCount, ProcReadOutcome one) = OpenFilesLimit.WithNoFreeDescriptor(() =>
        {
            ScanOutcome a = scanner.ScanAll(scope, out ReadOnlySpan<Candidate> ranked);
            ScanOutcome s = scanner.ScanPids([1, Environment.ProcessId], scope, out ReadOnlySpan<Candidate> few);
            ProcReadOutcome r = scanner.Reader.TryReadStat(Environment.ProcessId, out _);
            return (a, ranked.Length, s, few.Length, r);
        });

        Assert.Equal(ScanOutcome.OutOfFileDescriptors, all);
        Assert.Equal(0, allCount);
        Assert.Equal(ScanOutcome.OutOfFileDescriptors, some);
        Assert.Equal(0, someCount);
        Assert.Equal(ProcReadOutcome.OutOfFileDescriptors, one);
        Assert.Equal(ScanOutcome.Complete, scanner.ScanAll(scope, out _));
    }
}
