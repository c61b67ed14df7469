using Reapd.Core.Daemon;
using Reapd.Core.Policy;
using Reapd.Core.Selection;
using Reapd.Linux.Proc;
using Reapd.Testing;

namespace Reapd.Linux.Tests.Proc;

/// <summary>Rules on the real scanner: real processes named and started as a browser and a compositor would be.</summary>
public sealed class ScannerRulesTests
{
    private const long LimitBytes = 256L << 20;

    [Fact]
    public void Real_processes_are_ranked_by_the_desktop_rules_and_a_cgroup_user_and_exe_rule()
    {
        using var cgroup = TestCgroup.Create(LimitBytes, "rules");
        string procs = Path.Combine(cgroup.Path, "cgroup.procs");
        using var renderer = HelperProcess.Start("hog", ["--mib", "8", "--cgroup-procs", procs, "--name", "chrome", "--", "--type=renderer", "--lang=en-US"]);
        using var browser = HelperProcess.Start("hog", ["--mib", "24", "--cgroup-procs", procs, "--name", "chrome", "--", "--restore-last-session"]);
        using var content = HelperProcess.Start("hog", ["--mib", "4", "--cgroup-procs", procs, "--name", "Isolated Web Content"]);
        using var shell = HelperProcess.Start("hog", ["--mib", "48", "--cgroup-procs", procs, "--name", "gnome-shell"]);
        using var plain = HelperProcess.Start("hog", ["--mib", "16", "--cgroup-procs", procs]);
        foreach (HelperProcess hog in new[] { renderer, browser, content, shell, plain })
        {
            hog.WaitForLine("ready");
        }
        string hogExe = NativeProgram.Build("hog");
        PolicyRule[] mine =
        [
            // The test cgroup by a glob on its path, the test's own user, and the hog binary (artifacts/native/hog-HASH) by an exe glob.
            new("in the test cgroup", RuleAction.Prefer, new RuleMatch { Cgroup = "/**/" + Path.GetFileName(cgroup.Path), User = "0", Uid = 0 },
                SourcePosition.BuiltIn) { Adjust = 1 },
            new("hog binary", RuleAction.Avoid, new RuleMatch { Exe = Path.GetDirectoryName(hogExe) + "/h?g-*" }, SourcePosition.BuiltIn) { Adjust = -1 },
        ];
        RuleSet rules = RuleSet.Compile(RuleSet.RulesOf(new DaemonConfig { Rules = mine }));
        Assert.Equal(RuleInputs.Cmdline | RuleInputs.Exe | RuleInputs.Cgroup | RuleInputs.Uid, rules.Needs);

        var scanner = new ProcessScanner();
        var pidsReader = new CgroupPidsReader(cgroup.Path);
        Assert.Equal(ProcReadOutcome.Ok, pidsReader.TryRead(out ReadOnlySpan<int> pids));
        RankingScope scope = RankingScope.ForCgroupLimit(LimitBytes, 4, Environment.ProcessId).WithRules(rules);
        Assert.Equal(ScanOutcome.Complete, scanner.ScanPids(pids, scope, out ReadOnlySpan<Candidate> ranked));
        Candidate[] table = ranked.ToArray();

        // The 4 MiB content process and the 8 MiB renderer are preferred (+300 each) over the 16 MiB plain hog; the
        // 24 MiB browser main process is avoided (-300), so it goes after the plain hog; the 48 MiB shell is protected.
        Assert.Equal([renderer.Pid, content.Pid, plain.Pid, browser.Pid], table.Where(c => c.IsCandidate).Select(c => c.Pid));
        Assert.Equal(ExclusionReason.Protected, Find(table, shell.Pid).Exclusion);
        Assert.Equal("in the test cgroup,hog binary,desktop: chromium renderer or utility", rules.NamesOf(Find(table, renderer.Pid).Rules));
        Assert.Equal("in the test cgroup,hog binary,desktop: firefox Isolated Web Co", rules.NamesOf(Find(table, content.Pid).Rules));
        Assert.Equal("in the test cgroup,hog binary,desktop: browser main chrome", rules.NamesOf(Find(table, browser.Pid).Rules));
        Assert.Equal("in the test cgroup,hog binary", rules.NamesOf(Find(table, plain.Pid).Rules));
        Assert.Equal("in the test cgroup,hog binary,desktop: protect gnome-shell", rules.NamesOf(Find(table, shell.Pid).Rules));
        // Each figure is the kernel's badness moved by exactly the rules named: +1 and -1 cancel, then +/-300 units.
        long unit = (LimitBytes / 4096) / 1000;
        Candidate r = Find(table, renderer.Pid);
        Assert.Equal(r.BaseBadnessPages + (300 * unit), r.BadnessPages);
        Candidate b = Find(table, browser.Pid);
        Assert.Equal(b.BaseBadnessPages - (300 * unit), b.BadnessPages);
        Candidate p = Find(table, plain.Pid);
        Assert.Equal(p.BaseBadnessPages, p.BadnessPages);
    }

    [Fact]
    public void Without_rules_the_scan_ranks_by_the_kernels_badness_alone()
    {
        using var cgroup = TestCgroup.Create(LimitBytes, "norules");
        string procs = Path.Combine(cgroup.Path, "cgroup.procs");
        using var small = HelperProcess.Start("hog", ["--mib", "4", "--cgroup-procs", procs, "--name", "Web Content"]);
        using var big = HelperProcess.Start("hog", ["--mib", "16", "--cgroup-procs", procs, "--name", "gnome-shell"]);
        small.WaitForLine("ready");
        big.WaitForLine("ready");
        var pidsReader = new CgroupPidsReader(cgroup.Path);
        Assert.Equal(ProcReadOutcome.Ok, pidsReader.TryRead(out ReadOnlySpan<int> pids));
        var scanner = new ProcessScanner();
        Assert.Equal(ScanOutcome.Complete, scanner.ScanPids(pids, RankingScope.ForCgroupLimit(LimitBytes, 4, Environment.ProcessId), out ReadOnlySpan<Candidate> ranked));
        Assert.Equal([big.Pid, small.Pid], ranked.ToArray().Select(c => c.Pid));
        Assert.True(ranked[0].Rules.IsEmpty);
        Assert.Equal(ranked[0].BaseBadnessPages, ranked[0].BadnessPages);
    }

    [Fact]
    public void A_warmed_scan_with_rules_that_read_cmdline_exe_and_cgroup_allocates_nothing()
    {
        using var cgroup = TestCgroup.Create(LimitBytes, "rules-alloc");
        string procs = Path.Combine(cgroup.Path, "cgroup.procs");
        using var renderer = HelperProcess.Start("hog", ["--mib", "4", "--cgroup-procs", procs, "--name", "chrome", "--", "--type=renderer"]);
        using var shell = HelperProcess.Start("hog", ["--mib", "4", "--cgroup-procs", procs, "--name", "gnome-shell"]);
        renderer.WaitForLine("ready");
        shell.WaitForLine("ready");
        PolicyRule[] mine =
        [
            new("exe", RuleAction.Avoid, new RuleMatch { Exe = "/**/hog-*" }, SourcePosition.BuiltIn),
            new("cgroup", RuleAction.Prefer, new RuleMatch { Cgroup = "/**" }, SourcePosition.BuiltIn),
        ];
        RankingScope scope = RankingScope.ForCgroupLimit(LimitBytes, 4, Environment.ProcessId)
            .WithRules(RuleSet.Compile(RuleSet.RulesOf(new DaemonConfig { Rules = mine })));
        // A fixed set of processes (the machine's others come and go with new command lines): the two hogs, this
        // test process, PID 1 and a pid that does not exist.
        int[] pids = [renderer.Pid, shell.Pid, Environment.ProcessId, 1, int.MaxValue - 1];
        var scanner = new ProcessScanner();
        Assert.Equal(ScanOutcome.Complete, scanner.ScanPids(pids, scope, out _));
        Assert.Equal(ScanOutcome.Complete, scanner.ScanPids(pids, scope, out _));

        ScanOutcome outcome = ScanOutcome.Complete;
        // The measured scan (ThreadAllocation: run again only when its reading was disturbed) keeps the worst outcome;
        // the ranking is then looked at in one more scan of the same pids, since a span cannot leave the region.
        long allocated = ThreadAllocation.Measure(() =>
        {
            ScanOutcome scanned = scanner.ScanPids(pids, scope, out _);
            outcome = scanned == ScanOutcome.Complete ? outcome : scanned;
        });
        Assert.Equal(ScanOutcome.Complete, outcome);
        Assert.Equal(0, allocated);
        Assert.Equal(ScanOutcome.Complete, scanner.ScanPids(pids, scope, out ReadOnlySpan<Candidate> ranked));
        Assert.Equal(renderer.Pid, ranked[0].Pid);
        Assert.Equal(3, ranked[0].Rules.Total);
    }

    private static Candidate Find(Candidate[] table, int pid) => Array.Find(table, c => c.Pid == pid);
}
