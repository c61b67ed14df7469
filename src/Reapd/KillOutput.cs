using System.Diagnostics;
using System.Globalization;
using Reapd.Core.Proc;
using Reapd.Linux.Kill;

namespace Reapd;

/// <summary>The human report of `reapd kill`: one line per protocol step, then the timings and the memory freed.</summary>
internal static class KillOutput
{
    public static void Write(TextWriter stdout, KillReport report, in ProcStat stat, int graceMs, long rssBytes, KillMemoryWatch? watch, int otherProcessesInCgroup)
    {
        stdout.WriteLine($"reapd kill {report.Pid} ({stat.Name.ToDisplayString()})");
        stdout.WriteLine($"  identity:        {report.Identity.Describe()} ({report.SampledStartTimeTicks} ticks)");
        if (report.Sharers.Count == 0)
        {
            stdout.WriteLine($"  sharers:         none (no other process shares its memory){SearchNote(report)}");
        }
        else
        {
            foreach ((int pid, SignalOutcome? sharerKill) in report.Sharers)
            {
                stdout.WriteLine(sharerKill == SignalOutcome.NoLongerShares
                    ? $"  sharer:          {pid} shared its mm (kcmp KCMP_VM) at the search: SIGKILL {sharerKill.Value.Describe()}"
                    : $"  sharer:          {pid} shares its mm (kcmp KCMP_VM): SIGKILL {sharerKill?.Describe() ?? "not sent"}");
            }
        }
        if (report.Term is { } term)
        {
            string after = report.ExitedDuringGrace
                ? $"exited {Ms(report.ExitAfterSignalMs)} later, within the {graceMs} ms grace"
                : $"still alive after the {graceMs} ms grace";
            stdout.WriteLine($"  SIGTERM:         {term.Describe()}; {after}");
        }
        if (report.Kill is { } kill)
        {
            stdout.WriteLine($"  SIGKILL:         {kill.Describe()}");
        }
        string attempts = report.ReapAttempts > 1 ? $" ({report.ReapAttempts} attempts)" : "";
        if (report.ReapResult is { SharerRounds: > 0 } rounds)
        {
            attempts += $" ({rounds.SharerRounds} sharer search rounds after EINVAL, {rounds.SharersKilled} more sharers killed; last search: {rounds.LastSharerSearch?.Describe() ?? "none"})";
        }
        stdout.WriteLine($"  reap:            {report.Reap.Describe()}{attempts}");
        if (report.ReapReturnedAfterKillMs is { } reapMs)
        {
            stdout.WriteLine($"  reap returned:   {Ms(reapMs)} after SIGKILL");
        }
        stdout.WriteLine(report.Exited
            ? $"  pidfd readable:  {Ms(report.ExitAfterSignalMs)} after {(report.Kill is null ? "SIGTERM" : "SIGKILL")} (the process has exited)"
            : "  pidfd readable:  not within the wait: the process has not exited (stuck in its exit: a thread in D state, or its last mmput blocked)");
        if (watch is not null && otherProcessesInCgroup > 0)
        {
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  freed:           about {rssBytes / 1048576.0:F1} MiB (its RSS before the kill; its cgroup {watch.Path} also holds {otherProcessesInCgroup} other processes: {watch.BeforeBytes / 1048576.0:F1} -> {watch.LowestBytes / 1048576.0:F1} MiB)"));
        }
        else if (watch is not null)
        {
            long start = report.KillSentTimestamp != 0 ? report.KillSentTimestamp : report.TermSentTimestamp;
            string back = watch.ReachedTargetTimestamp != 0 && start != 0
                ? Ms(Stopwatch.GetElapsedTime(start, watch.ReachedTargetTimestamp).TotalMilliseconds) + " after " + (report.KillSentTimestamp != 0 ? "SIGKILL" : "SIGTERM")
                : "not within the wait";
            stdout.WriteLine($"  memory back:     {back} (90% of its anonymous memory, cgroup usage sampled every ms)");
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  freed:           {(watch.BeforeBytes - watch.LowestBytes) / 1048576.0:F1} MiB ({watch.Path}: {watch.BeforeBytes / 1048576.0:F1} -> {watch.LowestBytes / 1048576.0:F1} MiB)"));
        }
        else
        {
            stdout.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  freed:           about {rssBytes / 1048576.0:F1} MiB (its RSS before the kill; it is not in a child memory cgroup of its own to measure)"));
        }
    }

    private static string SearchNote(KillReport report) => report.SharerSearch switch
    {
        SharerSearchOutcome.KcmpUnavailable => "; kcmp is unavailable, sharers could not be checked",
        SharerSearchOutcome.KcmpNotPermitted => "; kcmp was refused for some processes",
        SharerSearchOutcome.VictimHasNoMm or SharerSearchOutcome.OutOfFileDescriptors or SharerSearchOutcome.Failed => "; " + report.SharerSearch.Value.Describe(),
        _ => "",
    };

    private static string Ms(double? ms) => ms is null ? "?" : ms.Value.ToString("F1", CultureInfo.InvariantCulture) + " ms";
}
