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
        report.Identity = Victim.TryOpen(pid, sampledStartTimeTicks, reader, out Victim? opened, options.SelfPid);
        if (report.Identity != VictimOpenOutcome.Confirmed)
        {
            return report;
        }
        using Victim victim = opened!;
        report.SharerSearch = victim.FindSharers(reader, out _);

        if (options.GraceMs > 0)
        {
            report.Term = victim.Terminate();
            report.TermSentTimestamp = victim.TermSentTimestamp;
            if (report.Term == SignalOutcome.Sent && victim.WaitForExit(options.GraceMs))
            {
                report.ExitedDuringGrace = true;
                report.Exited = true;
                report.ExitObservedTimestamp = Stopwatch.GetTimestamp();
                if (victim.Sharers.Count == 0)
                {
                    return Finish(report, victim);
                }
                // The victim left, but processes sharing its mm still hold that memory: they go as the kernel's
                // oom_kill_process would take them.
                victim.KillSharers();
                return Finish(report, victim);
            }
        }

        report.Kill = victim.Kill();
        report.KillSentTimestamp = victim.KillSentTimestamp;
        if (report.Kill == SignalOutcome.Sent && options.Reap)
        {
            // Right after SIGKILL, before the victim passes exit_mm: never after SIGTERM alone, which the kernel
            // always refuses (task_will_free_mem needs SIGNAL_GROUP_EXIT), kernel.md C.3.
            report.Reap = victim.Reap(options.MaxReapAttempts, options.ReapRetryDelayMs);
            report.ReapAttempts = victim.ReapAttempts;
            for (int round = 0; report.Reap == ReapOutcome.NotDyingOrShared && round < options.MaxSharerRounds; round++)
            {
                // EINVAL after SIGKILL: a live process still shares the mm (missed by the cheap filter, or created
                // since), or a core dump is being aborted. Look at every process, kill what shares, try again.
                if (victim.FindSharers(reader, out int more, exhaustive: true) == SharerSearchOutcome.VictimGone)
                {
                    break;
                }
                if (more > 0)
                {
                    victim.KillSharers();
                }
                else
                {
                    Thread.Sleep(10);
                }
                report.Reap = victim.Reap(options.MaxReapAttempts, options.ReapRetryDelayMs);
                report.ReapAttempts += victim.ReapAttempts;
            }
            report.ReapReturnedTimestamp = Stopwatch.GetTimestamp();
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
