using Reapd.Core.Daemon;

namespace Reapd.Core.Decision;

/// <summary>One command of the core: what to do, to whom, and for a report its figures.</summary>
public readonly record struct Command(
    CommandKind Kind,
    VictimId Victim = default,
    KillSignal Signal = KillSignal.SigKill,
    ScanPurpose Purpose = ScanPurpose.Choose,
    DecisionReport Report = default)
{
    public static Command ScanFor(ScanPurpose purpose) => new(CommandKind.Scan, Purpose: purpose);

    public static Command Send(VictimId victim, KillSignal signal) => new(CommandKind.Signal, victim, signal);

    public static Command For(CommandKind kind, VictimId victim) => new(kind, victim);

    public static Command Tell(in DecisionReport report) => new(CommandKind.Report, report.Victim, Report: report);
}
