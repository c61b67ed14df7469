using Reapd.Linux.Kill;

namespace Reapd.Linux.Tests.Kill;

/// <summary>The existing blocking reap (process_mrelease with the kernel's bounded retries) as a reaper-thread job.</summary>
internal sealed class VictimReapJob(Victim victim) : IReapJob
{
    /// <summary>The name of the thread the job ran on.</summary>
    public string? RanOn { get; private set; }

    public int Attempts { get; private set; }

    public ReapOutcome Run(CancellationToken stop)
    {
        RanOn = Thread.CurrentThread.Name;
        ReapOutcome outcome = victim.Reap();
        Attempts = victim.ReapAttempts;
        return outcome;
    }
}
