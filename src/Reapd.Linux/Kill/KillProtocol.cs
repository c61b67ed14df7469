using System.Diagnostics;
using Reapd.Linux.Proc;

namespace Reapd.Linux.Kill;

/// <summary>
/// The kill protocol as one blocking call (for `reapd kill` and tests): open the pidfd and confirm identity, find the
/// mm sharers, optionally SIGTERM and wait the grace, SIGKILL the victim and its sharers, process_mrelease at once,
/// then wait for the pidfd. The daemon drives the same <see cref="Victim"/> steps from its event loop instead.
/// docs/kill-protocol.md explains the order.
/// </summary>
public static class KillProtocol
{
    public static KillReport Run(int pid, ulong sampledStartTimeTicks, KillOptions options, ProcessReader reader)
    {
        var report = new KillReport { Pid = pid, SampledStartTimeTicks = sampledStartTimeTicks, StartedTimestamp = Stopwatch.GetTimestamp() };
        report.Identity = Victim.TryOpen(pid, sampledStartTimeTicks, reader, out Victim? opened, options.SelfPid, options.ProtectedNames, options.Rules);
        if (report.Identity != VictimOpenOutcome.Confirmed)
        {
            return report;
        }
        using Victim victim = opened!;
        report.SharerSearch = victim.FindSharers(reader, out _);
        if (report.SharerSearch == SharerSearchOutcome.SharerExcluded)
        {
            // A sharer that may never be killed keeps the mm alive: killing the victim alone would free nothing.
            report.ExcludedSharer = victim.ExcludedSharer;
            return Finish(report, victim);
        }

        if (options.GraceMs > 0)
        {
            report.Term = victim.Terminate();
            report.TermSentTimestamp = victim.TermSentTimestamp;
            if (report.Term == SignalOutcome.Sent && victim.WaitForExit(options.GraceMs))
            {
                report.ExitedDuringGrace = true;
                report.Exited = true;
                report.ExitObservedTimestamp = Stopwatch.GetTimestamp();
                // The victim left, but processes sharing its mm may still hold that memory: they go as the kernel's
                // oom_kill_process would take them, each re-checked first.
                victim.KillSharers(reader);
                return Finish(report, victim);
            }
        }

        report.Kill = victim.Kill(reader);
        report.KillSentTimestamp = victim.KillSentTimestamp;
        if (report.Kill == SignalOutcome.Sent && options.Reap)
        {
            // Right after SIGKILL, before the victim passes exit_mm: never after SIGTERM alone, which the kernel
            // always refuses (task_will_free_mem needs SIGNAL_GROUP_EXIT).
            ReapResult reaped = Reaper.Run(victim, reader, options.ReapSettings, CancellationToken.None);
            report.ReapResult = reaped;
            report.Reap = reaped.Outcome;
            report.ReapAttempts = reaped.Attempts;
            report.ReapReturnedTimestamp = reaped.ReturnedTimestamp;
            if (reaped.LastSharerSearch == SharerSearchOutcome.SharerExcluded)
            {
                report.ExcludedSharer = victim.ExcludedSharer;
            }
        }
        if (report.Kill is SignalOutcome.Sent or SignalOutcome.AlreadyReaped && victim.WaitForExit(options.ExitWaitMs))
        {
            report.Exited = true;
            report.ExitObservedTimestamp = Stopwatch.GetTimestamp();
        }
        return Finish(report, victim);
    }

    private static KillReport Finish(KillReport report, Victim victim)
    {
        var sharers = new List<(int, SignalOutcome?)>(victim.Sharers.Count);
        foreach (Sharer sharer in victim.Sharers)
        {
            sharers.Add((sharer.Pid, sharer.KillOutcome));
        }
        report.Sharers = sharers;
        return report;
    }
}
