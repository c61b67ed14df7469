using Reapd.Linux.Kill;

namespace Reapd.Linux.Tests.Kill;

/// <summary>A job that returns at once (or throws, to check the exception reaches the loop thread).</summary>
internal sealed class ImmediateJob(ReapOutcome outcome, bool fail = false) : IReapJob
{
    public int Runs { get; private set; }

    public ReapOutcome Run(CancellationToken stop)
    {
        Runs++;
        if (fail)
        {
            throw new InvalidOperationException("a broken invariant inside the job");
        }
        return stop.IsCancellationRequested ? ReapOutcome.NotAttempted : outcome;
    }
}
