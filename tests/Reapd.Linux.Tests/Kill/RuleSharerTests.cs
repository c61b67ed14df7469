using System.Globalization;
using Reapd.Core.Policy;
using Reapd.Core.Proc;
using Reapd.Core.Selection;
using Reapd.Linux.Kill;
using Reapd.Linux.Proc;
using Reapd.Testing;

namespace Reapd.Linux.Tests.Kill;

/// <summary>
/// A protect rule holds for a victim's mm sharers as oom_score_adj -1000 does (never killed, so the victim is not
/// either); an ignore rule does not (an ignored process may die with another).
/// </summary>
public sealed class RuleSharerTests
{
    private const long MiB = 1 << 20;

    private readonly ProcessReader _reader = new();

    private static RuleSet Rules(RuleAction action) =>
        RuleSet.Compile([new PolicyRule("keep the sharer", action, new RuleMatch { Comm = "reapd-keep" }, new SourcePosition("t.toml", 2, 1))]);

    [Fact]
    public void A_CLONE_VM_sharer_matched_by_a_protect_rule_stops_the_kill_and_nothing_is_signalled()
    {
        using var cgroup = TestCgroup.Create(256 * MiB, "rule-sharer");
        using var pair = HelperProcess.Start("clone_vm", ["--mib", "32", "--sharer-name", "reapd-keep", "--cgroup-procs", Path.Combine(cgroup.Path, "cgroup.procs")]);
        int sharer = int.Parse(pair.WaitForLine("ready").Split(' ')[3], CultureInfo.InvariantCulture);

        KillReport report = KillProtocol.Run(pair.Pid, ProcFacts.StartTime(pair.Pid), new KillOptions { Rules = Rules(RuleAction.Protect) }, _reader);

        Assert.Equal(SharerSearchOutcome.SharerExcluded, report.SharerSearch);
        Assert.Equal((sharer, ExclusionReason.Protected), report.ExcludedSharer);
        Assert.False(report.Signalled);
        Assert.False(pair.HasExited);
        Assert.Equal(ProcReadOutcome.Ok, _reader.TryReadStat(sharer, out ProcStat stat));
        Assert.False(stat.IsZombie);
    }

    [Fact]
    public void A_CLONE_VM_sharer_matched_by_an_ignore_rule_dies_with_the_victim()
    {
        using var cgroup = TestCgroup.Create(256 * MiB, "rule-sharer-ignored");
        using var pair = HelperProcess.Start("clone_vm", ["--mib", "32", "--sharer-name", "reapd-keep", "--cgroup-procs", Path.Combine(cgroup.Path, "cgroup.procs")]);
        int sharer = int.Parse(pair.WaitForLine("ready").Split(' ')[3], CultureInfo.InvariantCulture);

        KillReport report = KillProtocol.Run(pair.Pid, ProcFacts.StartTime(pair.Pid), new KillOptions { Rules = Rules(RuleAction.Ignore) }, _reader);

        Assert.Equal(SharerSearchOutcome.Completed, report.SharerSearch);
        Assert.Equal([(sharer, (SignalOutcome?)SignalOutcome.Sent)], report.Sharers);
        Assert.True(report.Exited);
    }
}
