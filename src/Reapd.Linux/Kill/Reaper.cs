using System.Diagnostics;
using Reapd.Linux.Proc;

namespace Reapd.Linux.Kill;

/// <summary>
/// The one reap orchestration, for `reapd kill` (<see cref="KillProtocol.Run"/>) and the daemon alike: after SIGKILL,
/// process_mrelease with bounded retries (EAGAIN: up to <see cref="ReapSettings.MaxAttempts"/> calls
/// <see cref="ReapSettings.RetryDelayMs"/> apart; EINTR: again at once, within the same bound), and on EINVAL:
/// a victim dumping core stops here (<see cref="ReapOutcome.CoreDumping"/>, the caller waits for the exit); otherwise
/// an exhaustive sharer search, SIGKILL of the new sharers (each re-checked right before its signal), and the reap
/// again, at most <see cref="ReapSettings.MaxSharerRounds"/> rounds. docs/kill-protocol.md, step 5.
/// It blocks for as long as the kernel takes (process_mrelease waits for the mmap lock), so the daemon runs it on a
/// reaper thread. While it runs, only the calling thread touches the <see cref="Victim"/> (and the
/// <paramref name="reader"/>, which must be one that no other thread uses); another thread may only poll the number
/// of the victim's pidfd. <c>stop</c> is checked between attempts and cuts every wait short.
/// </summary>
public static class Reaper
{
    private const int NoNewSharerWaitMs = 10;

    public static ReapResult Run(Victim victim, ProcessReader reader, in ReapSettings settings, CancellationToken stop)
    {
        if (victim.KillSentTimestamp == 0)
        {
            // A reap without SIGKILL is always refused (no SIGNAL_GROUP_EXIT): calling it so is a reapd bug.
            throw new InvalidOperationException($"reap of {victim.Pid} before its SIGKILL");
        }
        long started = Stopwatch.GetTimestamp();
        int attempts = 0, rounds = 0, killed = 0;
        SharerSearchOutcome? search = null;
        ReapOutcome outcome = ReapWithRetries(victim, settings, stop, ref attempts);
        while (outcome == ReapOutcome.NotDyingOrShared)
        {
            if (stop.IsCancellationRequested)
            {
                outcome = ReapOutcome.Stopped;
                break;
            }
            // The status says whether a core dump holds the mm; no search over every process is needed for that.
            if (victim.IsCoreDumping(reader))
            {
                outcome = ReapOutcome.CoreDumping;
                break;
            }
            if (rounds >= settings.MaxSharerRounds)
            {
                break;
            }
            rounds++;
            // A live process still shares the mm: missed by the vsize filter, or created since the first search.
            search = victim.FindSharers(reader, out int more, exhaustive: true);
            if (search is not (SharerSearchOutcome.Completed or SharerSearchOutcome.KcmpNotPermitted))
            {
                break;
            }
            if (more > 0)
            {
                killed += victim.KillSharers(reader);
            }
            else if (stop.WaitHandle.WaitOne(NoNewSharerWaitMs))
            {
                outcome = ReapOutcome.Stopped;
                break;
            }
            outcome = ReapWithRetries(victim, settings, stop, ref attempts);
        }
        (int Pid, Core.Selection.ExclusionReason Reason) excluded = victim.ExcludedSharer ?? default;
        return new ReapResult(outcome, attempts, rounds, killed, search, excluded.Pid, excluded.Reason, started, Stopwatch.GetTimestamp());
    }

    private static ReapOutcome ReapWithRetries(Victim victim, in ReapSettings settings, CancellationToken stop, ref int attempts)
    {
        ReapOutcome outcome = ReapOutcome.NotAttempted;
        for (int i = 0; i < Math.Max(1, settings.MaxAttempts); i++)
        {
            if (stop.IsCancellationRequested)
            {
                return ReapOutcome.Stopped;
            }
            attempts++;
            outcome = victim.TryReap();
            if (outcome == ReapOutcome.Busy)
            {
                if (stop.WaitHandle.WaitOne(settings.RetryDelayMs))
                {
                    return ReapOutcome.Stopped;
                }
            }
            else if (outcome != ReapOutcome.Interrupted)
            {
                break;
            }
        }
        return outcome;
    }
}
