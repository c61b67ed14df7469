using System.Diagnostics;
using Reapd.Core.Proc;
using Reapd.Linux.Kill;
using Reapd.Linux.Proc;
using Reapd.Testing;

namespace Reapd.Linux.Tests.Kill;

/// <summary>The kill protocol on the real kernel, as root, with victims in child memory cgroups.</summary>
public sealed class KillProtocolTests
{
    private const long MiB = 1 << 20;
    private readonly ProcessReader _reader = new();

    [Fact]
    public void A_256_MiB_victim_is_reaped_right_after_SIGKILL_and_its_cgroup_usage_falls_while_it_still_exists()
    {
        // Frozen, the victim cannot pass exit_mm before the reap: see TestFreezer for why this makes it deterministic.
        using var frozen = FrozenHog.Start(256, "reap");
        (TestCgroup cgroup, TestFreezer freezer, HelperProcess hog, long before) = (frozen.Cgroup, frozen.Freezer, frozen.Hog, frozen.UsageBeforeBytes);
        Assert.Equal(VictimOpenOutcome.Confirmed, Victim.TryOpen(hog.Pid, StartTime(hog.Pid), _reader, out Victim? victim, Environment.ProcessId));
        using (victim)
        {
            Assert.Equal(SharerSearchOutcome.Completed, victim!.FindSharers(_reader, out int sharers));
            Assert.Equal(0, sharers);
            Assert.Equal(SignalOutcome.Sent, victim.Kill(_reader));
            Assert.Equal(ReapOutcome.Reaped, Reap(victim!));

            long after = cgroup.UsageBytes;
            Assert.True(after < before - (240 * MiB), $"usage {before} -> {after}: the reap did not free the 256 MiB");
            Assert.False(victim.HasExited, "the frozen victim cannot have exited: the memory came back through the reap alone");

            freezer.Thaw();
            Assert.True(victim.WaitForExit(10_000), "the victim did not exit after thawing");
        }
    }

    [Fact]
    public void The_blocking_protocol_kills_and_reaps_a_256_MiB_hog_and_reports_each_step()
    {
        using var cgroup = TestCgroup.Create(512 * MiB, "run");
        using var hog = HelperProcess.Start("hog", ["--mib", "256", "--cgroup-procs", Path.Combine(cgroup.Path, "cgroup.procs")]);
        hog.WaitForLine("ready");
        long before = cgroup.UsageBytes;

        KillReport report = KillProtocol.Run(hog.Pid, StartTime(hog.Pid), new KillOptions(), _reader);

        Assert.Equal(VictimOpenOutcome.Confirmed, report.Identity);
        Assert.Equal(SignalOutcome.Sent, report.Kill);
        Assert.Null(report.Term);
        // Unfrozen, the victim may pass exit_mm before process_mrelease runs (docs/kernel.md D.2): then ESRCH is the
        // kernel's correct answer and the victim frees its memory itself. Either way the memory must be back.
        Assert.Contains(report.Reap, new[] { ReapOutcome.Reaped, ReapOutcome.AlreadyExiting });
        Assert.True(report.Exited);
        Assert.NotNull(report.ReapReturnedAfterKillMs);
        Assert.NotNull(report.ExitAfterSignalMs);
        Assert.True(cgroup.UsageBytes < before - (240 * MiB));
    }

    [Fact]
    public void A_victim_sharing_its_mm_with_a_CLONE_VM_child_is_refused_until_the_sharer_is_killed_too()
    {
        using var cgroup = TestCgroup.Create(512 * MiB, "sharer");
        using var freezer = TestFreezer.Create();
        using var pair = HelperProcess.Start("clone_vm", ["--mib", "128", "--cgroup-procs", Path.Combine(cgroup.Path, "cgroup.procs")]);
        string[] ready = pair.WaitForLine("ready").Split(' ');
        int sharerPid = int.Parse(ready[3], System.Globalization.CultureInfo.InvariantCulture);
        long before = cgroup.UsageBytes;
        freezer.Add(pair.Pid);
        freezer.Add(sharerPid);
        freezer.Freeze();

        Assert.Equal(VictimOpenOutcome.Confirmed, Victim.TryOpen(pair.Pid, StartTime(pair.Pid), _reader, out Victim? victim, Environment.ProcessId));
        using (victim)
        {
            // Killing the victim alone: the kernel refuses the reap while a live process shares the mm.
            Assert.Equal(SignalOutcome.Sent, victim!.Kill(_reader));
            Assert.Equal(ReapOutcome.NotDyingOrShared, victim.TryReap());

            Assert.Equal(SharerSearchOutcome.Completed, victim.FindSharers(_reader, out int found));
            Assert.Equal(1, found);
            Assert.Equal(sharerPid, victim.Sharers[0].Pid);
            victim.KillSharers(_reader);
            Assert.Equal(SignalOutcome.Sent, victim.Sharers[0].KillOutcome);
            Assert.Equal(ReapOutcome.Reaped, Reap(victim!));
            Assert.True(cgroup.UsageBytes < before - (120 * MiB));

            freezer.Thaw();
            Assert.True(victim.WaitForExit(10_000));
            Assert.True(PidFdSyscalls.WaitForExit(victim.Sharers[0].PidFd, 10_000), "the sharer did not die");
        }
    }

    [Fact]
    public void The_blocking_protocol_finds_and_kills_a_CLONE_VM_sharer_before_the_reap()
    {
        using var cgroup = TestCgroup.Create(512 * MiB, "sharer-run");
        using var pair = HelperProcess.Start("clone_vm", ["--mib", "128", "--cgroup-procs", Path.Combine(cgroup.Path, "cgroup.procs")]);
        string[] ready = pair.WaitForLine("ready").Split(' ');
        int sharerPid = int.Parse(ready[3], System.Globalization.CultureInfo.InvariantCulture);

        KillReport report = KillProtocol.Run(pair.Pid, StartTime(pair.Pid), new KillOptions(), _reader);

        Assert.Equal(VictimOpenOutcome.Confirmed, report.Identity);
        Assert.Equal([(sharerPid, (SignalOutcome?)SignalOutcome.Sent)], report.Sharers);
        Assert.Contains(report.Reap, new[] { ReapOutcome.Reaped, ReapOutcome.AlreadyExiting });
        Assert.True(report.Exited);
        Assert.True(ProcFacts.WaitUntil(() => !_reader.Exists(sharerPid) || IsZombie(sharerPid)), "the sharer still runs");
    }

    [Fact]
    public void A_victim_that_ignores_SIGTERM_gets_SIGKILL_when_the_grace_ends_and_is_then_reaped()
    {
        using var cgroup = TestCgroup.Create(512 * MiB, "term");
        using var freezer = TestFreezer.Create();
        using var hog = HelperProcess.Start("hog", ["--mib", "128", "--ignore-term", "--cgroup-procs", Path.Combine(cgroup.Path, "cgroup.procs")]);
        hog.WaitForLine("ready");
        long before = cgroup.UsageBytes;

        Assert.Equal(VictimOpenOutcome.Confirmed, Victim.TryOpen(hog.Pid, StartTime(hog.Pid), _reader, out Victim? victim, Environment.ProcessId));
        using (victim)
        {
            Assert.Equal(SignalOutcome.Sent, victim!.Terminate());
            Assert.False(victim.WaitForExit(300), "the hog was told to ignore SIGTERM");
            Assert.True(cgroup.UsageBytes > before - (8 * MiB), "SIGTERM alone freed memory");
            // The kernel refuses to reap a process that was only asked to terminate (no SIGNAL_GROUP_EXIT).
            Assert.Equal(ReapOutcome.NotDyingOrShared, victim.TryReap());

            freezer.Add(hog.Pid);
            freezer.Freeze();
            Assert.Equal(SignalOutcome.Sent, victim.Kill(_reader));
            Assert.Equal(ReapOutcome.Reaped, Reap(victim!));
            Assert.True(cgroup.UsageBytes < before - (120 * MiB));
            freezer.Thaw();
            Assert.True(victim.WaitForExit(10_000));
        }
    }

    [Fact]
    public void The_blocking_protocol_with_a_grace_sends_SIGTERM_then_SIGKILL_to_a_SIGTERM_ignorer()
    {
        using var cgroup = TestCgroup.Create(256 * MiB, "grace");
        using var hog = HelperProcess.Start("hog", ["--mib", "64", "--ignore-term", "--cgroup-procs", Path.Combine(cgroup.Path, "cgroup.procs")]);
        hog.WaitForLine("ready");

        KillReport report = KillProtocol.Run(hog.Pid, StartTime(hog.Pid), new KillOptions { GraceMs = 300 }, _reader);

        Assert.Equal(SignalOutcome.Sent, report.Term);
        Assert.False(report.ExitedDuringGrace);
        Assert.Equal(SignalOutcome.Sent, report.Kill);
        Assert.True(Stopwatch.GetElapsedTime(report.TermSentTimestamp, report.KillSentTimestamp).TotalMilliseconds >= 300);
        Assert.Contains(report.Reap, new[] { ReapOutcome.Reaped, ReapOutcome.AlreadyExiting });
        Assert.True(report.Exited);
    }

    [Fact]
    public void A_victim_that_honours_SIGTERM_exits_within_the_grace_and_is_never_sent_SIGKILL()
    {
        using var cgroup = TestCgroup.Create(256 * MiB, "polite");
        using var hog = HelperProcess.Start("hog", ["--mib", "16", "--cgroup-procs", Path.Combine(cgroup.Path, "cgroup.procs")]);
        hog.WaitForLine("ready");

        KillReport report = KillProtocol.Run(hog.Pid, StartTime(hog.Pid), new KillOptions { GraceMs = 5000 }, _reader);

        Assert.Equal(SignalOutcome.Sent, report.Term);
        Assert.True(report.ExitedDuringGrace);
        Assert.Null(report.Kill);
        Assert.Equal(ReapOutcome.NotAttempted, report.Reap);
    }

    [Fact]
    public void A_reused_pid_is_refused_and_the_newcomer_lives()
    {
        Root.Require();
        int pid;
        ulong oldStart;
        using (var hog = HelperProcess.Start("hog", ["--mib", "1"]))
        {
            hog.WaitForLine("ready");
            pid = hog.Pid;
            oldStart = StartTime(pid);
        }
        Assert.False(_reader.Exists(pid));
        Assert.True(ProcFacts.WaitPastTick(oldStart));

        using var newcomer = HelperProcess.Start("pid_at", [pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        newcomer.WaitForLine("ready");
        Assert.True(_reader.Exists(pid), "pid_at did not take the pid");
        ulong newStart = StartTime(pid);
        Assert.NotEqual(oldStart, newStart);

        Assert.Equal(VictimOpenOutcome.PidReused, Victim.TryOpen(pid, oldStart, _reader, out Victim? victim, Environment.ProcessId));
        Assert.Null(victim);
        KillReport report = KillProtocol.Run(pid, oldStart, new KillOptions(), _reader);
        Assert.Equal(VictimOpenOutcome.PidReused, report.Identity);
        Assert.Null(report.Kill);
        Assert.Null(report.Term);

        Assert.Equal(ProcReadOutcome.Ok, _reader.TryReadStat(pid, out ProcStat stat));
        Assert.Equal(newStart, stat.StartTimeTicks);
        Assert.False(stat.IsZombie);
        Assert.False(newcomer.HasExited);
    }

    [Fact]
    public void A_killed_victim_stuck_on_an_unanswered_FUSE_read_keeps_its_memory_until_it_is_reaped_while_it_still_exists()
    {
        using var cgroup = TestCgroup.Create(512 * MiB, "fuse");
        using var fuse = FuseStuck.Start(256, Path.Combine(cgroup.Path, "cgroup.procs"));
        long before = cgroup.UsageBytes;
        Assert.True(before >= 256 * MiB);

        Assert.Equal(VictimOpenOutcome.Confirmed, Victim.TryOpen(fuse.VictimPid, StartTime(fuse.VictimPid), _reader, out Victim? victim, Environment.ProcessId));
        using (victim)
        {
            Assert.Equal(SignalOutcome.Sent, victim!.Kill(_reader));
            // Without a reaper: the leader becomes a zombie, the reader thread stays in D, and nothing comes back.
            Assert.True(ProcFacts.WaitUntil(() => fuse.VictimThreadStates().SequenceEqual(['Z', 'D'])), "states: " + string.Join(",", fuse.VictimThreadStates()));
            Assert.False(victim.WaitForExit(500), "the stuck victim exited by itself");
            Assert.True(cgroup.UsageBytes > before - (8 * MiB), "memory came back without the reap");

            // The deterministic reap: a thread still holds the mm, the group is exiting, so process_mrelease frees it.
            Assert.Equal(ReapOutcome.Reaped, Reap(victim!));
            Assert.True(cgroup.UsageBytes < before - (240 * MiB), $"usage {before} -> {cgroup.UsageBytes}");
            Assert.False(victim.HasExited, "the victim still exists (zombie + D) while its memory is back");
        }
    }

    [Fact]
    public void A_killed_victim_whose_last_mmput_is_stuck_in_exit_aio_cannot_be_reaped_and_gets_its_memory_back_only_when_the_FUSE_connection_is_aborted()
    {
        using var cgroup = TestCgroup.Create(512 * MiB, "aio");
        using var fuse = FuseStuck.StartAio(256, Path.Combine(cgroup.Path, "cgroup.procs"));
        long before = cgroup.UsageBytes;
        Assert.True(before >= 256 * MiB, $"cgroup usage {before} below the victim's 256 MiB");

        Assert.Equal(VictimOpenOutcome.Confirmed, Victim.TryOpen(fuse.VictimPid, StartTime(fuse.VictimPid), _reader, out Victim? victim, Environment.ProcessId));
        using (victim)
        {
            Assert.Equal(SignalOutcome.Sent, victim!.Kill(_reader));
            // Waiting for the victim to pass exit_mm first makes the outcome deterministic: right after SIGKILL,
            // process_mrelease may still find the mm and free it before exit_mm (docs/kernel.md D.2: often it has passed exit_mm already).
            // Past exit_mm its last mmput sits in __mmput -> exit_aio behind the never-answered FUSE_FSYNC (D.4).
            Assert.True(ProcFacts.WaitUntil(() => fuse.VictimWchan() == "exit_aio" && !fuse.VictimHasMm()),
                $"the victim did not get stuck in exit_aio: wchan '{fuse.VictimWchan()}', state '{fuse.VictimState()}', has mm {fuse.VictimHasMm()}");
            Assert.StartsWith("D", fuse.VictimState(), StringComparison.Ordinal);

            // No thread holds the mm any more: the kernel has nothing to reap through this process (ESRCH), and says so
            // every time it is asked.
            Assert.Equal(ReapOutcome.AlreadyExiting, Reap(victim!));
            Assert.Equal(ReapOutcome.AlreadyExiting, victim.TryReap());
            Assert.False(victim.WaitForExit(500), "the pidfd became readable: the exit was not stuck");
            Assert.Equal("exit_aio", fuse.VictimWchan());
            long stuck = cgroup.UsageBytes;
            Assert.True(stuck > before - (8 * MiB), $"usage {before} -> {stuck}: memory came back although exit_mmap cannot run");

            // Aborting the connection fails the fsync, exit_aio returns, exit_mmap frees everything, the victim exits.
            fuse.AbortConnection();
            Assert.True(victim.WaitForExit(10_000), $"the victim did not exit after the abort: wchan '{fuse.VictimWchan()}'");
            Assert.True(ProcFacts.WaitUntil(() => cgroup.UsageBytes < before - (240 * MiB)), $"usage {before} -> {cgroup.UsageBytes} after the abort");
        }
    }

    private ReapOutcome Reap(Victim victim) => Reaper.Run(victim, _reader, ReapSettings.Default, CancellationToken.None).Outcome;

    private ulong StartTime(int pid)
    {
        Assert.Equal(ProcReadOutcome.Ok, _reader.TryReadStat(pid, out ProcStat stat));
        return stat.StartTimeTicks;
    }

    private bool IsZombie(int pid) => _reader.TryReadStat(pid, out ProcStat stat) == ProcReadOutcome.Ok && stat.IsZombie;
}
