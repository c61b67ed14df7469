using Reapd.Linux.Kill;

namespace Reapd.Linux.Tests.Kill;

/// <summary>The kill path's one reap orchestration (Reaper.Run: bounded retries, core dump, sharer rounds) as a reaper-thread job.</summary>
internal sealed class VictimReapJob(Victim victim) : IReapJob
{
    /// <summary>The name of the thread the job ran on.</summary>
    public string? RanOn { get; private set; }

    public int Attempts { get; private set; }

    public ReapOutcome Run(CancellationToken stop)
    {
        RanOn = Thread.CurrentThread.Name;
        ReapResult result = Reaper.Run(victim, new Reapd.Linux.Proc.ProcessReader(), ReapSettings.Default, stop);
        Attempts = result.Attempts;
        return result.Outcome;
    }
}
