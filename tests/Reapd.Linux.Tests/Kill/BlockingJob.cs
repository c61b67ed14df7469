using Reapd.Linux.Kill;

namespace Reapd.Linux.Tests.Kill;

/// <summary>
/// A job that blocks until the test releases it, as a reap stuck in the kernel would; with
/// <paramref name="honourStop"/> it also returns when the reaper stops (the stop flag reaches the job).
/// </summary>
internal sealed class BlockingJob(ManualResetEventSlim release, bool honourStop) : IReapJob
{
    public ManualResetEventSlim Started { get; } = new();

    public bool SawStop { get; private set; }

    public ReapOutcome Run(CancellationToken stop)
    {
        Started.Set();
        if (honourStop)
        {
            _ = WaitHandle.WaitAny([release.WaitHandle, stop.WaitHandle]);
        }
        else
        {
            release.Wait(CancellationToken.None);
        }
        SawStop = stop.IsCancellationRequested;
        return release.IsSet ? ReapOutcome.Reaped : ReapOutcome.Interrupted;
    }
}
