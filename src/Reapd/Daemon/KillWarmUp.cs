using Reapd.Core.Daemon;
using Reapd.Core.Decision;
using Reapd.Core.Policy;
using Reapd.Linux.Kill;
using Reapd.Linux.Sensors;
using Reapd.Linux.Spawn;

namespace Reapd.Daemon;

/// <summary>
/// One whole emergency, run before reapd locks its memory, on a child reapd starts for the purpose (`sleep`): a
/// decision core and an actuator of their own see the term level and then the kill level, scan (a scan that lists
/// only the child), choose it, SIGTERM it through its pidfd, search its mm sharers, escalate, SIGKILL it, hand it to
/// the real reaper thread, take the reap answer, see it exit and settle it — and format every event of it, into a
/// log that is thrown away. So the code and data of the kill path are mapped when mlockall(MCL_CURRENT|MCL_ONFAULT)
/// locks what is mapped, and the first real emergency, under a page cache being thrashed, takes no major fault
/// (docs/reliability.md). Nothing of it reaches the real core, the real metrics or stdout. Start-up only: allocates.
/// </summary>
internal static class KillWarmUp
{
    private static readonly string[] s_sleepPaths = ["/bin/sleep", "/usr/bin/sleep"];

    /// <summary>Runs the warm-up emergency, then one collection; returns what it did, for the start event.</summary>
    public static string Run(DaemonConfig config, DaemonResources resources, SampleSource samples, ReaperThread? reaper, in MemorySample sample, EventLog realLog, Actuator real)
    {
        string result = Pass(config, resources, samples, reaper, sample, realLog, real, out bool ran, out bool signalled);
        // Cgroup-first: the child runs in reapd's own unit, and a unit marked user.oomd_omit (ManagedOOMPreference=omit,
        // which an admin may well give the OOM killer's own unit) gives up no process, so the pass chose nobody and the
        // kill path stayed cold (the guest benchmark's runner unit showed it). The unit step ran; the kill is run again
        // without it. A dry run never signals, and says so.
        if (ran && !signalled && !config.DryRun && real.Chooser is not null)
        {
            result += "; the cgroup-first choice took nothing from reapd's own unit, so again without it: "
                + Pass(config with { CgroupFirst = ChoiceMode.Off }, resources, samples, reaper, sample, realLog, real, out _, out _);
        }
        // And one collection: the GC's own code, run for the first time during an emergency, would fault too.
        // Aggressive: also gives back (decommits) the heap the start-up and the warm-up used and no longer need, so
        // it is not locked resident for the daemon's lifetime (docs/daemon.md, "Memory"). Only here, with the passes
        // returned: inside one, its `using` locals (the throwaway actuator with its candidate arrays, buffers and event
        // log: 250-330 KiB) are still live, and a collection there kept them in the locked heap for good.
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        return result;
    }

    /// <summary>
    /// One warm-up emergency on a child of its own: <paramref name="ran"/> when the child was started,
    /// <paramref name="signalled"/> when it was sent the SIGTERM.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)] // its locals die with its frame
    private static string Pass(DaemonConfig config, DaemonResources resources, SampleSource samples, ReaperThread? reaper, in MemorySample sample, EventLog realLog, Actuator real, out bool ran, out bool signalled)
    {
        ran = signalled = false;
        string? sleep = Array.Find(s_sleepPaths, File.Exists);
        if (sleep is null)
        {
            return "warm-up kill skipped: no sleep program";
        }
        using SpawnedChild? child = SpawnedChild.TryStart(sleep, ["sleep", "60"], [], out int error);
        if (child is null)
        {
            return $"warm-up kill skipped: cannot start {sleep} (errno {error})";
        }
        ran = true;
        var core = new DecisionCore(config);
        var log = new EventLog(TextWriter.Null, realLog.Json, realLog.Journal);
        var events = new DaemonEvents(log, config, new Metrics.DaemonMetrics(config, samples.Description));
        // Its scans go through a scanner thread of its own, as the daemon's do (the same code, so it is mapped and
        // then locked), and list only the child. Its warnings go to the discarded log; with no scanner thread it
        // scans on this thread, as the daemon then would.
        using var actuator = new Actuator(core, events, resources, samples, real.Rules, onlyPids: [child.Pid]) { Reaper = reaper };
        _ = actuator.StartScanner();
        long total = Math.Max(sample.TotalBytes, 1L << 30);
        long now = MonotonicClock.NowMs;
        // Between the levels (SIGTERM), then at none (escalation to SIGKILL, the reap), then plenty (settle).
        Feed(core, actuator, sample with { TimeMs = now, TotalBytes = total, SwapFreeBytes = 0, AvailableBytes = (long)(total * (config.TermPercent + config.KillPercent) / 200) });
        Feed(core, actuator, sample with { TimeMs = MonotonicClock.NowMs, TotalBytes = total, SwapFreeBytes = 0, AvailableBytes = 0 });
        if (reaper is not null && core.State.Reap == ReapState.InFlight)
        {
            using var completion = new WakeSet(1);
            completion.Add(reaper.CompletionFd, WakeSet.Readable);
            _ = completion.Wait(2000, out _);
            actuator.TakeReapAnswer(MonotonicClock.NowMs);
        }
        ReapState reap = core.State.Reap;
        if (actuator.Terms > 0)
        {
            using var exit = new WakeSet(1);
            exit.Add(child.PidFdNumber, WakeSet.Readable);
            _ = exit.Wait(2000, out _);
        }
        actuator.CheckExits(MonotonicClock.NowMs);
        Feed(core, actuator, sample with { TimeMs = MonotonicClock.NowMs, TotalBytes = total, AvailableBytes = total });
        bool settled = core.State.Phase == VictimPhase.None;
        signalled = actuator.Terms > 0;
        string result = $"warm-up kill: sigterms={actuator.Terms} sigkills={actuator.Kills} reap={ReapText(reap)} settled={(settled ? "yes" : "no")}";
        // Whatever happened above, the child does not outlive the warm-up (a dry run only pretended to signal it).
        child.KillGroup();
        _ = child.TryCollect(out _);
        // Its scanner thread is stopped and waited for: one still running at the collection that follows kept its
        // candidate arrays and readers (320 KiB) in the locked heap for good, in about one start in three.
        actuator.Dispose();
        if (!actuator.JoinStoppedScanners(1000))
        {
            result += " (its scanner thread had not ended after 1 s)";
        }
        return result;
    }

    private static string ReapText(ReapState reap) => reap switch
    {
        ReapState.None => "none",
        ReapState.InFlight => "unanswered",
        ReapState.Released => "released",
        ReapState.ReleasedExitPending => "released-exit-pending",
        ReapState.NoMm => "no-mm",
        ReapState.CoreDumping => "core-dumping",
        _ => "not-reaped",
    };

    private static void Feed(DecisionCore core, Actuator actuator, in MemorySample sample)
    {
        actuator.Sample = sample;
        actuator.Wake = Wake.Timer;
        core.OnSample(sample);
        actuator.Drain();
    }
}
