using System.Globalization;
using Reapd.Core.Decision;

namespace Reapd.Core.Replay;

/// <summary>One line for a command or an input of a replay, for `reapd replay`'s output.</summary>
public static class ReplayText
{
    public static string Describe(in Command command)
    {
        return command.Kind switch
        {
            CommandKind.Scan => $"scan for={command.Purpose}",
            CommandKind.Signal => $"signal pid={command.Victim.Pid} start={command.Victim.StartTimeTicks} {(command.Signal == KillSignal.SigTerm ? "SIGTERM" : "SIGKILL")}",
            CommandKind.KillSharers => $"kill-sharers pid={command.Victim.Pid}",
            CommandKind.Reap => $"reap pid={command.Victim.Pid}",
            CommandKind.Release => $"release pid={command.Victim.Pid}",
            CommandKind.RestartStallWindow => "restart-stall-window",
            _ => Report(command.Report),
        };
    }

    public static string Describe(RecordedEvent input)
    {
        ArgumentNullException.ThrowIfNull(input);
        return input.Kind switch
        {
            RecordKind.Sample => string.Create(CultureInfo.InvariantCulture,
                $"sample available={input.Sample.AvailablePercent:0.##}% ({Mib(input.Sample.AvailableBytes)} of {Mib(input.Sample.TotalBytes)} MiB){(input.Sample.PsiFullWindowPercent >= 0 ? $" psi_full_window={input.Sample.PsiFullWindowPercent:0.#}%" : "")}"),
            RecordKind.Scanned => $"scan answer: {input.RankedTotal} candidates{(input.Ranked.Length > 0 ? $", top pid {input.Ranked[0].Id.Pid} holding {Mib(input.Ranked[0].HeldBytes)} MiB" : "")}",
            RecordKind.Signalled => $"signal outcome {input.Signal}, {input.LiveSharers} live sharers",
            RecordKind.ReapAnswered => $"reap answer {input.Reap}",
            RecordKind.Exited => $"exit seen (victim exited: {(input.VictimExited ? "yes" : "no")}, {input.LiveSharers} live sharers)",
            _ => input.Kind.ToString(),
        };
    }

    private static string Report(in DecisionReport r) => r.Kind switch
    {
        ReportKind.Trigger => $"trigger decision={r.Decision} reason={r.Reason} level={r.Level}{(r.Victim.Pid != 0 ? $" pid={r.Victim.Pid}" : "")}",
        ReportKind.Choice => $"choice pid={r.Victim.Pid} index={r.ChoiceIndex} excluded={r.ExcludedCount} candidates={r.CandidateCount} held_mib={Mib(r.HeldBytes)}",
        ReportKind.NoCandidate => $"no-candidate excluded={r.ExcludedCount} candidates={r.CandidateCount}",
        ReportKind.Retarget => $"retarget pid={r.Victim.Pid} held_mib={Mib(r.HeldBytes)} held_now_mib={Mib(r.HeldNowBytes)}",
        ReportKind.ReapSlow => $"reap-slow pid={r.Victim.Pid} in_flight_ms={r.InFlightMs}",
        ReportKind.Stuck => $"stuck pid={r.Victim.Pid} recovered_mib={Mib(r.RecoveredBytes)}",
        _ => $"settled pid={r.Victim.Pid} cause={r.Cause} in_flight_ms={r.InFlightMs} recovered_mib={Mib(r.RecoveredBytes)} reaped={Yes(r.Reaped)} gone={Yes(r.Gone)} excluded={Yes(r.Excluded)}",
    };

    private static string Mib(long bytes) => (bytes / 1048576.0).ToString("0.#", CultureInfo.InvariantCulture);

    private static string Yes(bool value) => value ? "yes" : "no";
}
