using System.Globalization;
using Reapd.Core.Proc;
using Reapd.Core.Selection;
using Reapd.Linux.Kill;
using Reapd.Linux.Proc;
using Reapd.Testing;

namespace Reapd.Linux.Tests.Kill;

/// <summary>
/// The races of the sharer search and the reap orchestration, on the real kernel, as root, with victims in child
/// memory cgroups at oom_score_adj 1000.
/// </summary>
public sealed class SharerRaceTests
{
    private const long MiB = 1 << 20;
    private const int SIGKILL = 9;
    private readonly ProcessReader _reader = new();

    [Fact]
    public void A_vfork_child_that_execs_between_the_sharer_search_and_the_SIGKILL_is_left_alone_and_lives()
    {
        using var cgroup = TestCgroup.Create(256 * MiB, "vfork");
        string cue = MakeFifo();
        try
        {
            using var pair = HelperProcess.Start("vfork_exec", ["--mib", "64", "--cue", cue, "--cgroup-procs", Path.Combine(cgroup.Path, "cgroup.procs")]);
            int child = int.Parse(pair.WaitForLine("ready").Split(' ')[3], CultureInfo.InvariantCulture);
            Assert.Equal(PidFdOpenOutcome.Opened, PidFdSyscalls.Open(child, out PidFdHandle? childFd));
            using (childFd)
            {
                try
                {
                    Assert.Equal(VictimOpenOutcome.Confirmed, Victim.TryOpen(pair.Pid, ProcFacts.StartTime(pair.Pid), _reader, out Victim? victim, Environment.ProcessId));
                    using (victim)
                    {
                        // Found while it still runs on the victim's mm (suspended parent, vfork child waiting for its cue).
                        Assert.Equal(SharerSearchOutcome.Completed, victim!.FindSharers(_reader, out int found));
                        Assert.Equal(1, found);
                        Assert.Equal(child, victim.Sharers[0].Pid);

                        // Now it execs: an mm of its own, another program. The SIGKILL must not reach it.
                        File.WriteAllText(cue, "go");
                        pair.WaitForLine("execed");
                        Assert.Equal(SignalOutcome.Sent, victim.Kill(_reader));
                        Assert.Equal(SignalOutcome.NoLongerShares, victim.Sharers[0].KillOutcome);
                        Assert.True(victim.WaitForExit(10_000), "the victim did not exit");
                    }
                    Assert.False(PidFdSyscalls.WaitForExit(childFd!, 0), "the exec'd child was killed");
                    Assert.Equal(ProcReadOutcome.Ok, _reader.TryReadStat(child, out ProcStat stat));
                    Assert.False(stat.IsZombie);
                }
                finally
                {
                    PidFdSyscalls.SendSignal(childFd!, SIGKILL);
                    PidFdSyscalls.WaitForExit(childFd!, 10_000);
                }
            }
        }
        finally
        {
            File.Delete(cue);
        }
    }

    [Fact]
    public void A_vfork_child_that_still_shares_at_the_SIGKILL_is_killed_with_the_victim()
    {
        using var cgroup = TestCgroup.Create(256 * MiB, "vfork-kill");
        string cue = MakeFifo();
        try
        {
            using var pair = HelperProcess.Start("vfork_exec", ["--mib", "64", "--cue", cue, "--cgroup-procs", Path.Combine(cgroup.Path, "cgroup.procs")]);
            int child = int.Parse(pair.WaitForLine("ready").Split(' ')[3], CultureInfo.InvariantCulture);

            KillReport report = KillProtocol.Run(pair.Pid, ProcFacts.StartTime(pair.Pid), new KillOptions(), _reader);

            Assert.Equal([(child, (SignalOutcome?)SignalOutcome.Sent)], report.Sharers);
            Assert.Contains(report.Reap, new[] { ReapOutcome.Reaped, ReapOutcome.AlreadyExiting });
            Assert.True(report.Exited);
            Assert.True(ProcFacts.WaitUntil(() => _reader.TryReadStat(child, out ProcStat s) != ProcReadOutcome.Ok || s.IsZombie), "the sharing child still runs");
        }
        finally
        {
            File.Delete(cue);
        }
    }

    [Fact]
    public void A_CLONE_VM_sharer_with_a_protected_name_stops_the_search_and_nothing_is_signalled()
    {
        // oom_score_adj -1000 would be excluded the same way (CandidateClassifier), but root here lacks
        // CAP_SYS_RESOURCE and cannot set it; the QEMU guest tests cover -1000.
        using var cgroup = TestCgroup.Create(256 * MiB, "protected-sharer");
        using var pair = HelperProcess.Start("clone_vm", ["--mib", "64", "--sharer-name", "reapd-keep", "--cgroup-procs", Path.Combine(cgroup.Path, "cgroup.procs")]);
        int sharer = int.Parse(pair.WaitForLine("ready").Split(' ')[3], CultureInfo.InvariantCulture);
        var names = new ProtectedNames(["reapd-keep"]);

        Assert.Equal(VictimOpenOutcome.Confirmed, Victim.TryOpen(pair.Pid, ProcFacts.StartTime(pair.Pid), _reader, out Victim? victim, Environment.ProcessId, names));
        using (victim)
        {
            Assert.Equal(SharerSearchOutcome.SharerExcluded, victim!.FindSharers(_reader, out int found));
            Assert.Equal(0, found);
            Assert.Empty(victim.Sharers);
            Assert.Equal((sharer, ExclusionReason.Protected), victim.ExcludedSharer);
        }

        KillReport report = KillProtocol.Run(pair.Pid, ProcFacts.StartTime(pair.Pid), new KillOptions { ProtectedNames = names }, _reader);
        Assert.Equal(SharerSearchOutcome.SharerExcluded, report.SharerSearch);
        Assert.Equal((sharer, ExclusionReason.Protected), report.ExcludedSharer);
        Assert.Null(report.Term);
        Assert.Null(report.Kill);
        Assert.False(report.Signalled);
        Assert.False(pair.HasExited);
        Assert.Equal(ProcReadOutcome.Ok, _reader.TryReadStat(sharer, out ProcStat stat));
        Assert.False(stat.IsZombie);
    }

    [Fact]
    public void Without_protection_the_same_CLONE_VM_sharer_is_found_and_killed()
    {
        using var cgroup = TestCgroup.Create(256 * MiB, "named-sharer");
        using var pair = HelperProcess.Start("clone_vm", ["--mib", "64", "--sharer-name", "reapd-keep", "--cgroup-procs", Path.Combine(cgroup.Path, "cgroup.procs")]);
        int sharer = int.Parse(pair.WaitForLine("ready").Split(' ')[3], CultureInfo.InvariantCulture);

        KillReport report = KillProtocol.Run(pair.Pid, ProcFacts.StartTime(pair.Pid), new KillOptions { ProtectedNames = new ProtectedNames(["other"]) }, _reader);

        Assert.Equal(SharerSearchOutcome.Completed, report.SharerSearch);
        Assert.Equal([(sharer, (SignalOutcome?)SignalOutcome.Sent)], report.Sharers);
        Assert.True(report.Exited);
    }

    [Fact]
    public void The_sharer_search_of_a_victim_that_has_been_reaped_answers_victim_gone_even_if_its_number_is_taken_again()
    {
        Root.Require();
        using var hog = HelperProcess.Start("hog", ["--mib", "1"]);
        hog.WaitForLine("ready");
        Assert.Equal(VictimOpenOutcome.Confirmed, Victim.TryOpen(hog.Pid, ProcFacts.StartTime(hog.Pid), _reader, out Victim? victim, Environment.ProcessId));
        using (victim)
        {
            Assert.Equal(SignalOutcome.Sent, victim!.Kill(_reader));
            Assert.True(hog.WaitForExit(10_000));
            Assert.True(ProcFacts.WaitUntil(() => !_reader.Exists(hog.Pid)), "the hog was not reaped");
            Assert.Equal(SharerSearchOutcome.VictimGone, victim.FindSharers(_reader, out int found, exhaustive: true));
            Assert.Equal(0, found);
        }
    }

    [Fact]
    public void A_reap_asked_to_stop_before_it_starts_makes_no_attempt_and_says_stopped()
    {
        using var cgroup = TestCgroup.Create(128 * MiB, "stop");
        using var hog = HelperProcess.Start("hog", ["--mib", "16", "--cgroup-procs", Path.Combine(cgroup.Path, "cgroup.procs")]);
        hog.WaitForLine("ready");
        Assert.Equal(VictimOpenOutcome.Confirmed, Victim.TryOpen(hog.Pid, ProcFacts.StartTime(hog.Pid), _reader, out Victim? victim, Environment.ProcessId));
        using (victim)
        {
            Assert.Equal(SignalOutcome.Sent, victim!.Kill(_reader));
            using var stop = new CancellationTokenSource();
            stop.Cancel();
            ReapResult result = Reaper.Run(victim, _reader, ReapSettings.Default, stop.Token);
            Assert.Equal(ReapOutcome.Stopped, result.Outcome);
            Assert.Equal(0, result.Attempts);
            Assert.True(victim.WaitForExit(10_000));
        }
    }

    [Fact]
    public void A_reap_before_the_SIGKILL_is_a_broken_invariant()
    {
        using var hog = HelperProcess.Start("hog", ["--mib", "1"]);
        hog.WaitForLine("ready");
        Assert.Equal(VictimOpenOutcome.Confirmed, Victim.TryOpen(hog.Pid, ProcFacts.StartTime(hog.Pid), _reader, out Victim? victim, Environment.ProcessId));
        using (victim)
        {
            Assert.Throws<InvalidOperationException>(() => Reaper.Run(victim!, _reader, ReapSettings.Default, CancellationToken.None));
        }
    }

    [Fact]
    public void Disposing_a_victim_twice_closes_its_pidfds_once_and_does_nothing_more()
    {
        using var cgroup = TestCgroup.Create(128 * MiB, "dispose");
        using var pair = HelperProcess.Start("clone_vm", ["--mib", "8", "--cgroup-procs", Path.Combine(cgroup.Path, "cgroup.procs")]);
        pair.WaitForLine("ready");
        Assert.Equal(VictimOpenOutcome.Confirmed, Victim.TryOpen(pair.Pid, ProcFacts.StartTime(pair.Pid), _reader, out Victim? victim, Environment.ProcessId));
        Assert.Equal(SharerSearchOutcome.Completed, victim!.FindSharers(_reader, out int found));
        Assert.Equal(1, found);
        Sharer sharer = victim.Sharers[0];
        victim.Dispose();
        victim.Dispose();
        sharer.Dispose();
        Assert.True(victim.PidFd.IsClosed);
        Assert.True(sharer.PidFd.IsClosed);
        Assert.Equal(-1, victim.PidFdNumber);
    }

    private static string MakeFifo()
    {
        string path = Path.Combine(Path.GetTempPath(), "reapd-cue-" + Guid.NewGuid().ToString("N"));
        using var mkfifo = System.Diagnostics.Process.Start("mkfifo", [path]);
        mkfifo.WaitForExit();
        Assert.Equal(0, mkfifo.ExitCode);
        return path;
    }
}

/// <summary>A victim in the middle of a core dump: recognised from its status, no search over every process.</summary>
public sealed class CoreDumpReapTests
{
    private const long MiB = 1 << 20;
    private readonly ProcessReader _reader = new();

    [Fact]
    public void A_victim_dumping_core_is_reaped_as_CoreDumping_without_a_sharer_round_and_exits_once_the_dump_fails()
    {
        using var cgroup = TestCgroup.Create(256 * MiB, "coredump");
        using var fuse = FuseStuck.StartCore(64, Path.Combine(cgroup.Path, "cgroup.procs"));
        long before = cgroup.UsageBytes;
        Assert.True(before >= 64 * MiB, $"cgroup usage {before}");

        Assert.Equal(VictimOpenOutcome.Confirmed, Victim.TryOpen(fuse.VictimPid, ProcFacts.StartTime(fuse.VictimPid), _reader, out Victim? victim, Environment.ProcessId));
        using (victim)
        {
            Assert.True(victim!.IsCoreDumping(_reader));
            Assert.Equal(SignalOutcome.Sent, victim.Kill(_reader));
            // SIGKILL leaves the dumper in the uninterruptible part of the FUSE wait: the dump does not end.
            ReapResult result = Reaper.Run(victim, _reader, ReapSettings.Default, CancellationToken.None);
            Assert.Equal(ReapOutcome.CoreDumping, result.Outcome);
            Assert.Equal(1, result.Attempts);
            Assert.Equal(0, result.SharerRounds);
            Assert.Null(result.LastSharerSearch);
            Assert.False(victim.HasExited);

            // Failing the create ends the dump; the exit then frees the memory.
            fuse.AbortConnection();
            Assert.True(victim.WaitForExit(10_000), "the victim did not exit after the abort");
            Assert.True(ProcFacts.WaitUntil(() => cgroup.UsageBytes < before - (60 * MiB)), $"usage {before} -> {cgroup.UsageBytes}");
        }
    }
}
