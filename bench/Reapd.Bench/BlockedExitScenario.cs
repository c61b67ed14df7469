using System.Globalization;

namespace Reapd.Bench;

/// <summary>
/// The victim's exit is blocked by a thread stuck on a FUSE request that is never answered (tests/native/fuse_stuck.c):
/// after SIGKILL it stays a zombie with one thread in D state still holding its memory, which only a reaper
/// (process_mrelease, or the kernel's oom_reaper) frees. The pusher, which alone leaves available memory above the
/// SIGTERM line, is the "something else" a killer that cannot reap picks next.
/// </summary>
internal sealed class BlockedExitScenario : Scenario
{
    public override string Slug => "blocked-exit";

    public override string Title => "Blocked exit: a victim stuck on a FUSE request";

    public override string Description =>
        "The victim, whose second thread is blocked in a read on a FUSE file whose server never answers, first fills "
        + "most of the way to the SIGTERM line at once; then a pusher (a bystander that must live) grows at about 1 GiB/s "
        + "past the SIGTERM line and the kill line, where the victim is the biggest process. The runner stops the pusher "
        + "(SIGSTOP) once available memory is a quarter GiB below the kill line, or once the victim is dying and its "
        + "memory is coming back: what comes back after the kill is then the victim's alone. After SIGKILL the victim "
        + "cannot exit: its memory is freed only by a reaper (process_mrelease, or the kernel's oom_reaper after a kernel "
        + "OOM kill). Right outcome: the victim killed and its memory back at once, the pusher alive (alone it leaves "
        + "memory above the SIGTERM line). A killer that cannot reap sees no memory come back and kills the pusher (an "
        + "extra kill). At the end the runner aborts the FUSE connection so the victim can exit. A run in which available "
        + "memory never went below the kill line is reported as not having happened.";

    /// <summary>Long enough to see a killer that cannot reap give up on the stuck victim and kill again.</summary>
    public override double TailS => 5;

    public override double TimeoutS => 60;

    /// <summary>4 GiB: room for the sizes of <see cref="SizesFor"/> with the SIGTERM and SIGKILL lines 1.2 GiB apart: the
    /// pusher can take available memory a quarter GiB below the kill line even when some 700 MiB come back elsewhere on
    /// the machine during the run (3 GiB left a designed overshoot of about 200 MiB, which other users' memory and the
    /// per-CPU page lists' drain regularly undid: whole rounds never reached the kill line).</summary>
    public override long RampAboveKillLineKiB => 4096L * 1024;

    public override string? SkipReason(NativeBinaries programs, BenchScope scope) => programs.FuseStuckMissing;

    /// <summary>The sizes of one run, from R (the way from the start to the kill line, <paramref name="rampKiB"/>) and
    /// the gap G between the SIGTERM and SIGKILL lines:
    /// the victim is R − G − R/12, so the SIGTERM line is crossed once the pusher holds R/12 (after the victim is stuck)
    /// and the victim is the biggest process when the kill line is crossed (the pusher then holds G + R/12); with the
    /// victim stuck and the pusher killed, available memory is R/12 above the SIGTERM line;
    /// the pusher is stopped (SIGSTOP) once available memory is <see cref="BlockedExitSizes.FreezeBelowLineKiB"/> below
    /// the kill line (a killer that cannot free the victim must kill again; the kernel alone is left well above zero),
    /// or once the victim is dying and <see cref="BlockedExitSizes.ComingBackKiB"/> has come back (R/64: a reaper);
    /// the pusher may grow to R − G − 0.085 R at most, so once the victim is reaped memory is back above the SIGTERM
    /// line and nothing else needs to die. What that maximum has beyond the freeze point is the slack: memory that may
    /// come back elsewhere on the machine during the run without the workload falling short of the line. Throws when
    /// R is too small for a slack of R/8.</summary>
    public static BlockedExitSizes SizesFor(long rampKiB, long killLineKiB, long gapKiB)
    {
        long r = rampKiB;
        long termLeadKiB = r / 12;
        long victimKiB = r - gapKiB - termLeadKiB;
        long pusherKiB = r - gapKiB - (r * 85 / 1000);
        long freezeKiB = Math.Min(r / 16, killLineKiB / 2);
        long slackKiB = pusherKiB - (r - victimKiB) - freezeKiB;
        if (victimKiB <= r - victimKiB || slackKiB < r / 8 || freezeKiB <= 0)
        {
            throw new InvalidOperationException(
                $"blocked-exit: no sizes fit a ramp of {r / 1024} MiB with lines {gapKiB / 1024} MiB apart (slack {slackKiB / 1024} MiB, needs {r / 8 / 1024})");
        }
        return new BlockedExitSizes(victimKiB, pusherKiB, freezeKiB, slackKiB, r / 64);
    }

    public override Workload Start(ScenarioContext c)
    {
        var sizes = SizesFor(c.RampKiB, c.Scope.KillLineKiB, c.Scope.TermLineKiB - c.Scope.KillLineKiB);
        // The runner makes the mount point itself, so it can always detach and remove it, whatever happens.
        var w = new BlockedWorkload(c)
        {
            MountDir = Directory.CreateTempSubdirectory("reapd-bench-fuse-").FullName,
            FreezeBelowKiB = c.Scope.KillLineKiB - sizes.FreezeBelowLineKiB,
            ComingBackKiB = sizes.ComingBackKiB,
        };
        long victimMiB = c.Mib(sizes.VictimKiB);
        var fuse = ChildProcess.Start("fuse_stuck", c.Programs.SigBlock,
        [
            Libc.SIGTERM.ToString(CultureInfo.InvariantCulture), c.Programs.FuseStuck!,
            "--mib", victimMiB.ToString(CultureInfo.InvariantCulture), "--adj", "1000", "--cgroup-procs", c.Cgroup.ProcsFile,
            "--mount", w.MountDir,
        ]);
        w.Add(fuse, "server");
        // "fuse_stuck <victim pid> ready <MiB> server <server pid> mount <DIR> conn <N>", once the read is stuck.
        var ready = fuse.WaitForLine(l => l.StartsWith("fuse_stuck ", StringComparison.Ordinal) && l.Contains(" ready ", StringComparison.Ordinal),
            TimeSpan.FromSeconds(Math.Max(15, victimMiB / 100.0)));
        if (ready is null)
        {
            w.Dispose();
            throw new InvalidOperationException("fuse_stuck did not get stuck:\n" + fuse.Log());
        }
        string[] parts = ready.Value.Line.Split(' ');
        w.VictimPid = int.Parse(parts[1], CultureInfo.InvariantCulture);
        w.SetRole(w.VictimPid, "victim");
        w.Add(StartHog(c, "pusher", c.Mib(sizes.PusherKiB), c.RampRateMiBs), "bystander");
        return w;
    }

    /// <summary>The pusher's stop, decided on one sample: available memory below <paramref name="freezeBelowKiB"/>,
    /// or the victim dying and available memory more than <paramref name="comingBackKiB"/> above where it was when the
    /// victim was first seen dying (kept in <paramref name="availableAtKillKiB"/>, -1 until then).</summary>
    public static bool ShouldStopPusher(long availableKiB, long freezeBelowKiB, bool victimDying, ref long availableAtKillKiB, long comingBackKiB)
    {
        if (availableKiB < freezeBelowKiB)
        {
            return true;
        }
        if (!victimDying)
        {
            return false;
        }
        if (availableAtKillKiB < 0)
        {
            availableAtKillKiB = availableKiB;
        }
        return availableKiB > availableAtKillKiB + comingBackKiB;
    }

    private sealed class BlockedWorkload(ScenarioContext context) : Workload(context)
    {
        /// <summary>Available memory when the runner first saw the victim dying (KiB; -1: not yet).</summary>
        private long _availableAtKillKiB = -1;

        public int VictimPid { get; set; }

        public required string MountDir { get; init; }

        /// <summary>Available memory below which the pusher is stopped (KiB).</summary>
        public required long FreezeBelowKiB { get; init; }

        /// <summary>Memory that must come back after the victim's kill before the pusher is stopped (KiB).</summary>
        public required long ComingBackKiB { get; init; }

        /// <summary>When the pusher was stopped (NaN: not yet).</summary>
        public double FrozenS { get; private set; } = double.NaN;

        private ChildProcess? Pusher => Processes.Count > 1 ? Processes[1] : null;

        /// <summary>Stops the pusher (SIGSTOP) once available memory is deep enough below the kill line (a killer
        /// that cannot reap still sees memory below the line and must kill again), or once the victim is dying and its
        /// memory is coming back (a reaper at work: what comes back from then on is the victim's alone, not less what
        /// the pusher goes on taking). A stopped pusher holds what it has; a SIGKILL still ends it (a kill of it counts
        /// as before), and the runner's cleanup kills it.</summary>
        public override void Tick()
        {
            if (!double.IsNaN(FrozenS) || Pusher is not { HasExited: false } pusher)
            {
                return;
            }
            var latest = Context.Sampler.Latest;
            if (latest.TimeS <= pusher.StartTimeS)
            {
                return;
            }
            bool victimDying = latest.AvailableKiB >= FreezeBelowKiB && IsDeadOrDying(VictimPid);
            bool stop = ShouldStopPusher(latest.AvailableKiB, FreezeBelowKiB, victimDying, ref _availableAtKillKiB, ComingBackKiB);
            if (stop && Libc.Kill(pusher.Pid, Libc.SIGSTOP))
            {
                FrozenS = Clock.NowS;
            }
        }

        /// <summary>The victim is dead or dying, or nothing acted for 2 s after the pusher finished or was stopped (the
        /// kernel alone does nothing while available memory stays above zero).</summary>
        public override bool Done
        {
            get
            {
                if (IsDeadOrDying(VictimPid))
                {
                    return true;
                }
                if (Pusher is not { } pusher)
                {
                    return false;
                }
                double ready = pusher.Lines.Where(l => l.Line.Contains(" ready ", StringComparison.Ordinal)).Select(l => l.TimeS).DefaultIfEmpty(double.NaN).First();
                double settled = double.IsNaN(FrozenS) ? ready : FrozenS;
                return pusher.HasExited || Clock.NowS > settled + 2;
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
