using System.Globalization;
using System.Diagnostics;
using Reapd.Core.Cgroups;
using Reapd.Core.Proc;
using Reapd.Core.Selection;
using Reapd.Linux.Cgroups;
using Reapd.Linux.Proc;

namespace Reapd.Linux.Tests.Cgroups;

/// <summary>
/// The cgroup-first choice over a cgroup2 tree and a /proc written by the test (this machine's cgroup2 has no memory
/// controller; the files are those the kernel writes, and the extended attributes are real ones on the test's
/// directories, as systemd sets them on cgroupfs). The guest with systemd is where the kernel writes them.
/// </summary>
public sealed class CgroupFirstChooserTests : IDisposable
{
    private const long Capacity = 16_000_000_000;
    private readonly DirectoryInfo _root = Directory.CreateTempSubdirectory("reapd-chooser-");
    private readonly List<Candidate> _candidates = [];
    private int _nextPid = 100;

    private string Mount => Path.Combine(_root.FullName, "cgroup");

    private string Proc => Path.Combine(_root.FullName, "proc");

    public void Dispose() => _root.Delete(recursive: true);

    [Fact]
    public void The_warm_up_runs_both_sorts_past_the_insertion_sort_size_and_they_sort_right()
    {
        Assert.True(CgroupFirstChooser.WarmUpSorts());
    }

    [Fact]
    public void The_unit_most_over_its_memory_low_gives_up_its_largest_process_before_a_larger_protected_one()
    {
        Unit("/system.slice/db.service", currentMib: 800, lowMib: 700);
        Unit("/system.slice/web.service", currentMib: 300);
        int db = Process("/system.slice/db.service", "postgres", badness: 9000);
        int web = Process("/system.slice/web.service", "gunicorn", badness: 3000);
        int webSmall = Process("/system.slice/web.service", "gunicorn2", badness: 100);

        (CgroupFirstChooser chooser, Candidate[] ranked) = Choose(kubernetes: false);

        Assert.Equal([web, webSmall, db], ranked.Select(c => c.Pid));
        Assert.Equal(["/system.slice/web.service", "/system.slice/db.service"], chooser.Groups.Select(g => g.Path));
        Assert.Equal(CgroupChoiceRule.UsageOverProtection, chooser.Rule);
    }

    [Fact]
    public void An_omitted_unit_loses_its_candidates_and_an_avoided_one_goes_last()
    {
        Unit("/system.slice/keep.service", currentMib: 2000, xattr: "user.oomd_omit");
        Unit("/system.slice/soft.service", currentMib: 1500, xattr: "user.oomd_avoid");
        Unit("/system.slice/other.service", currentMib: 10);
        int keep = Process("/system.slice/keep.service", "keeper", badness: 9000);
        int soft = Process("/system.slice/soft.service", "soft", badness: 8000);
        int other = Process("/system.slice/other.service", "other", badness: 10);

        (_, Candidate[] ranked) = Choose(kubernetes: false, expectedCandidates: 2);

        Assert.Equal([other, soft, keep], ranked.Select(c => c.Pid));
        Assert.Equal(ExclusionReason.UnitOmitted, ranked[2].Exclusion);
    }

    [Fact]
    public void Pods_give_up_best_effort_first_then_the_burstable_pod_most_over_its_request_then_guaranteed()
    {
        const string Burst = "/kubepods.slice/kubepods-burstable.slice";
        Unit("/kubepods.slice/kubepods-podg.slice", currentMib: 3000);
        Unit($"{Burst}/kubepods-burstable-podbig.slice", currentMib: 1000);    // request ~900 MiB: ~100 over
        Unit($"{Burst}/kubepods-burstable-podover.slice", currentMib: 600);    // request ~100 MiB: ~500 over
        Unit("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-podbe.slice", currentMib: 50);
        int g = Process("/kubepods.slice/kubepods-podg.slice/cri-containerd-g.scope", "java", badness: 9000, adj: KubeletOomScoreAdj.Guaranteed);
        int big = Process($"{Burst}/kubepods-burstable-podbig.slice/cri-containerd-b.scope", "big", badness: 5000,
            adj: KubeletOomScoreAdj.ForBurstable(900L << 20, Capacity));
        int over = Process($"{Burst}/kubepods-burstable-podover.slice/cri-containerd-o.scope", "over", badness: 4000,
            adj: KubeletOomScoreAdj.ForBurstable(100L << 20, Capacity));
        int pause = Process($"{Burst}/kubepods-burstable-podover.slice/cri-containerd-p.scope", "pause", badness: 10, adj: -998);
        int be = Process("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-podbe.slice/cri-containerd-e.scope", "be", badness: 100, adj: 1000);

        (CgroupFirstChooser chooser, Candidate[] ranked) = Choose(kubernetes: true, expectedCandidates: 4);

        Assert.Equal([be, over, big, g, pause], ranked.Select(c => c.Pid));
        Assert.Equal(ExclusionReason.PodSandbox, ranked[4].Exclusion);
        UnitGroup overPod = chooser.Groups[1];
        Assert.Equal("oom_score_adj", overPod.RequestSource);
        Assert.InRange(overPod.RequestBytes!.Value, (100L << 20) - Capacity / 1000, (100L << 20) + Capacity / 1000);
    }

    [Fact]
    public void A_pods_memory_min_from_memory_qos_is_its_request_before_the_oom_score_adj()
    {
        const string Pod = "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-podq.slice";
        Unit(Pod, currentMib: 700, minMib: 600);
        Process(Pod + "/cri-containerd-q.scope", "q", badness: 10, adj: KubeletOomScoreAdj.ForBurstable(100L << 20, Capacity));

        (CgroupFirstChooser chooser, _) = Choose(kubernetes: true);

        Assert.Equal("memory.min", chooser.Groups[0].RequestSource);
        Assert.Equal(600L << 20, chooser.Groups[0].RequestBytes);
    }

    [Theory]
    [InlineData("/../../kubepods.slice/x", true)]
    [InlineData("/a/../b", true)]
    [InlineData("/..", true)]
    [InlineData("/system.slice/a..b.service", false)]
    [InlineData("/system.slice/x.service", false)]
    public void A_path_outside_reapds_cgroup_namespace_never_reaches_a_directory_outside_the_mount(string path, bool outside)
    {
        Assert.Equal(outside, UnitGroupReader.IsOutsideNamespace(path));
        string directory = new UnitGroupReader(Mount).Directory(path);
        Assert.StartsWith(Mount + "/", Path.GetFullPath(directory), StringComparison.Ordinal);
    }

    private (CgroupFirstChooser Chooser, Candidate[] Ranked) Choose(bool kubernetes, int? expectedCandidates = null)
    {
        var chooser = new CgroupFirstChooser(Mount, kubernetes, new ProcessReader(Proc), Capacity);
        Candidate[] ranked = [.. _candidates];
        CandidateRanking.Sort(ranked);
        int candidates = chooser.Order(ranked, CgroupChoiceRule.UsageOverProtection);
        Assert.Equal(expectedCandidates ?? _candidates.Count, candidates);
        return (chooser, ranked);
    }

    private void Unit(string path, long currentMib, long lowMib = 0, long minMib = 0, string? xattr = null)
    {
        string directory = Path.Combine(Mount, path.TrimStart('/'));
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "memory.current"), (currentMib << 20).ToString(CultureInfo.InvariantCulture) + "\n");
        File.WriteAllText(Path.Combine(directory, "memory.low"), (lowMib << 20).ToString(CultureInfo.InvariantCulture) + "\n");
        File.WriteAllText(Path.Combine(directory, "memory.min"), (minMib << 20).ToString(CultureInfo.InvariantCulture) + "\n");
        File.WriteAllText(Path.Combine(directory, "memory.pressure"),
            "some avg10=0.00 avg60=0.00 avg300=0.00 total=0\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n");
        if (xattr is not null)
        {
            // python3's os.setxattr is setxattr(2), as systemd's cg_set_xattr.
            Assert.SkipUnless(File.Exists("/usr/bin/python3"), "needs /usr/bin/python3 to set an extended attribute");
            using Process set = System.Diagnostics.Process.Start("/usr/bin/python3", ["-c", "import os, sys; os.setxattr(sys.argv[1], sys.argv[2], b'1')", directory, xattr])!;
            set.WaitForExit();
            Assert.SkipUnless(set.ExitCode == 0, "the temp file system refuses user.* extended attributes");
        }
    }

    private int Process(string cgroup, string name, long badness, int adj = 0)
    {
        int pid = _nextPid++;
        string directory = Path.Combine(Proc, pid.ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "cgroup"), $"0::{cgroup}\n");
        _candidates.Add(new Candidate
        {
            Pid = pid,
            StartTimeTicks = 1,
            Name = new ProcessName(System.Text.Encoding.UTF8.GetBytes(name)),
            BadnessPages = badness,
            RssAnonKiB = badness * 4,
            OomScoreAdj = adj,
        });
        return pid;
    }
}
