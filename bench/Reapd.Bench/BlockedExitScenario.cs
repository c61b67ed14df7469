using System.Globalization;

namespace Reapd.Bench;

/// <summary>
/// The victim's exit is blocked by a thread stuck on a FUSE request that is never answered (tests/native/fuse_stuck.c):
/// after SIGKILL it stays a zombie with one thread in D state still holding its memory, which only a reaper
/// (process_mrelease, or the kernel's oom_reaper) frees. A decoy hog, big enough to lift available memory back above
/// the SIGTERM line, is the "something else" a killer that cannot reap picks next.
/// </summary>
internal sealed class BlockedExitScenario : Scenario
{
    public override string Slug => "blocked-exit";

    public override string Title => "Blocked exit: a victim stuck on a FUSE request";

    public override string Description =>
        "A decoy hog holds memory (enough to lift available memory above the SIGTERM line if it is killed); then the "
        + "victim, whose second thread is blocked in a read on a FUSE file whose server never answers, grows at about "
        + "1 GiB/s past the kill line. After SIGKILL the victim cannot exit: its memory is freed only by a reaper "
        + "(process_mrelease, or the kernel's oom_reaper after a kernel OOM kill). Right outcome: the victim killed and "
        + "its memory back at once, the decoy alive. A killer that cannot reap sees no memory come back and kills the "
        + "decoy (an extra kill). At the end the runner aborts the FUSE connection so the victim can exit.";

    /// <summary>Long enough to see a killer that cannot reap give up on the stuck victim and kill again.</summary>
    public override double TailS => 5;

    public override double TimeoutS => 60;

    /// <summary>The sizes below need the victim well above the gap between the lines: 0.55 × 3 GiB against 1.2 GiB.</summary>
    public override long RampAboveKillLineKiB => 3072L * 1024;

    public override string? SkipReason(NativeBinaries programs, BenchScope scope) => programs.FuseStuckMissing;

    public override Workload Start(ScenarioContext c)
    {
        // Sizes, with R the way from the start to the kill line and G the gap between the SIGTERM and SIGKILL lines:
        // the victim (0.55 R) is the biggest process when the kill line is crossed (the pusher has 0.45 R then);
        // victim + pusher go past the kill line, so a killer that cannot free the victim must kill again; the pusher
        // alone (R − G − 0.085 R) leaves memory above the SIGTERM line, so once the victim is reaped nothing else
        // needs to die.
        long r = c.RampKiB, gap = c.Scope.TermLineKiB - c.Scope.KillLineKiB;
        long victimKiB = r * 55 / 100;
        long pusherKiB = r - gap - (r * 85 / 1000);
        if (victimKiB <= r - victimKiB || victimKiB + pusherKiB <= r || r - pusherKiB <= gap || pusherKiB <= 0)
        {
            throw new InvalidOperationException($"blocked-exit: no sizes fit a ramp of {r / 1024} MiB with lines {gap / 1024} MiB apart");
        }
        // The runner makes the mount point itself, so it can always detach and remove it, whatever happens.
        var w = new BlockedWorkload(c) { MountDir = Directory.CreateTempSubdirectory("reapd-bench-fuse-").FullName };
        var fuse = ChildProcess.Start("fuse_stuck", c.Programs.SigBlock,
        [
            Libc.SIGTERM.ToString(CultureInfo.InvariantCulture), c.Programs.FuseStuck!,
            "--mib", c.Mib(victimKiB).ToString(CultureInfo.InvariantCulture), "--adj", "1000", "--cgroup-procs", c.Cgroup.ProcsFile,
            "--mount", w.MountDir,
        ]);
        w.Add(fuse, "server");
        // "fuse_stuck <victim pid> ready <MiB> server <server pid> mount <DIR> conn <N>", once the read is stuck.
        var ready = fuse.WaitForLine(l => l.StartsWith("fuse_stuck ", StringComparison.Ordinal) && l.Contains(" ready ", StringComparison.Ordinal),
            TimeSpan.FromSeconds(Math.Max(15, victimKiB / 1024 / 100.0)));
        if (ready is null)
        {
            w.Dispose();
            throw new InvalidOperationException("fuse_stuck did not get stuck:\n" + fuse.Log());
        }
        string[] parts = ready.Value.Line.Split(' ');
        w.VictimPid = int.Parse(parts[1], CultureInfo.InvariantCulture);
        w.SetRole(w.VictimPid, "victim");
        w.Add(StartHog(c, "pusher", c.Mib(pusherKiB), c.RampRateMiBs), "bystander");
        return w;
    }

    private sealed class BlockedWorkload(ScenarioContext context) : Workload(context)
    {
        public int VictimPid { get; set; }

        public required string MountDir { get; init; }

        /// <summary>The victim is dead or dying, or nothing acted for 2 s after the pusher finished (the kernel
        /// alone does nothing while available memory stays above zero).</summary>
        public override bool Done
        {
            get
            {
                if (IsDeadOrDying(VictimPid))
                {
                    return true;
                }
                var pusher = Processes.Count > 1 ? Processes[1] : null;
                if (pusher is null)
                {
                    return false;
                }
                var ready = pusher.Lines.Where(l => l.Line.Contains(" ready ", StringComparison.Ordinal)).Select(l => l.TimeS).DefaultIfEmpty(double.NaN).First();
                return pusher.HasExited || Clock.NowS > ready + 2;
            }
        }

        /// <summary>SIGINT makes fuse_stuck abort the FUSE connection, detach the mount and end the victim. If it does
        /// not end, SIGKILL: its /dev/fuse closes, which aborts the connection. Then the mount point is detached (if
        /// still mounted) and removed.</summary>
        public override void Release()
        {
            var server = Processes.Count > 0 ? Processes[0] : null;
            if (server is { HasExited: false })
            {
                Libc.Kill(server.Pid, Libc.SIGINT);
                if (!server.WaitForExit(TimeSpan.FromSeconds(5)))
                {
                    server.KillNow();
                }
            }
            if (File.ReadAllText("/proc/self/mountinfo").Contains(" " + MountDir + " ", StringComparison.Ordinal))
            {
                using var umount = System.Diagnostics.Process.Start("umount", ["-l", MountDir]);
                umount.WaitForExit();
            }
            try
            {
                Directory.Delete(MountDir);
            }
            catch (IOException e)
            {
                Console.Error.WriteLine($"bench: could not remove {MountDir}: {e.Message}");
            }
        }
    }
}
