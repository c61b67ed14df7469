namespace Reapd.Linux.Kill;

/// <summary>
/// One reap, run by the <see cref="ReaperThread"/> off the loop thread: process_mrelease and its retries for a victim
/// that was just SIGKILLed (and whatever the caller's orchestration adds: a sharer search after EINVAL, a second
/// reap). An object and not a delegate, so submitting one allocates nothing; the caller keeps whatever detail it wants
/// to read afterwards in the job itself, and reads it on its own thread after the completion.
/// </summary>
public interface IReapJob
{
    /// <summary>
    /// Runs on the reaper thread. <paramref name="stop"/> is cancelled when the reaper stops: check it between attempts,
    /// and wait on <c>stop.WaitHandle</c> instead of sleeping, so a stop ends a retry delay at once. A call that blocks
    /// in the kernel cannot be interrupted; the loop never waits for it.
    /// </summary>
    ReapOutcome Run(CancellationToken stop);
}
