using System.Diagnostics;
using Reapd.Linux.Sensors;
using Reapd.Linux.Threading;
using Reapd.Testing;

namespace Reapd.Linux.Tests.Threading;

/// <summary>
/// The one-job worker protocol that the reaper thread and the scanner threads share: hand-over, completion through the
/// eventfd, refusals, abandonment, stop without waiting, and no allocation per job. Real threads and real eventfds,
/// the completion polled through a <see cref="WakeSet"/> as the daemon's loop polls it.
/// </summary>
public sealed class SingleJobWorkerTests
{
    [Fact]
    public void A_job_runs_on_the_worker_thread_its_completion_eventfd_fires_and_its_answer_is_taken_once()
    {
        using TestWorker worker = TestWorker.Start();
        Assert.True(worker.IsIdle);

        Assert.Equal(WorkerSubmitOutcome.Accepted, worker.Submit(21));

        Assert.Equal(WakeOutcome.Ready, worker.WaitForCompletion());
        Assert.True(worker.TryTake(out int answer));
        Assert.Equal(42, answer);
        Assert.NotEqual(Environment.CurrentManagedThreadId, worker.RanOnThreadId);
        Assert.True(worker.IsIdle);
        Assert.False(worker.IsBusy);
        Assert.Equal(0, worker.BusySinceTimestamp);
        // Taking drained the eventfd: nothing fires any more, and there is nothing left to take.
        Assert.Equal(WakeOutcome.Timeout, worker.WaitForCompletion(0));
        Assert.False(worker.TryTake(out _));
    }

    [Fact]
    public void A_job_handed_over_while_one_runs_is_refused_as_busy_and_while_an_answer_is_untaken_as_completion_not_taken()
    {
        using var gate = new ManualResetEventSlim();
        using TestWorker worker = TestWorker.Start();

        Assert.True(worker.SubmitBlocked(1, gate), "the worker thread did not start the job");
        Assert.Equal(TestWorker.ThreadName, worker.RanOnThreadName);
        Assert.True(worker.IsBusy);
        Assert.False(worker.IsIdle);
        Assert.InRange(worker.BusySinceTimestamp, 1, Stopwatch.GetTimestamp());
        Assert.Equal(WorkerSubmitOutcome.Busy, worker.Submit(2));
        Assert.False(worker.TryTake(out _));
        Assert.Equal(WakeOutcome.Timeout, worker.WaitForCompletion(0));

        gate.Set();
        Assert.Equal(WakeOutcome.Ready, worker.WaitForCompletion());
        Assert.Equal(WorkerSubmitOutcome.CompletionNotTaken, worker.Submit(3));
        Assert.True(worker.TryTake(out int answer));
        // The refused jobs never ran: the answer is the first job's, and it ran once.
        Assert.Equal(2, answer);
        Assert.Equal(1, worker.Runs);
        Assert.Equal(WorkerSubmitOutcome.Accepted, worker.Submit(4));
        Assert.Equal(WakeOutcome.Ready, worker.WaitForCompletion());
        Assert.True(worker.TryTake(out answer));
        Assert.Equal(8, answer);
    }

    [Fact]
    public void Stop_while_a_job_is_blocked_returns_at_once_and_the_thread_ends_only_after_the_job_returns_with_its_answer_delivered()
    {
        using var gate = new ManualResetEventSlim();
        using TestWorker worker = TestWorker.Start();
        Assert.True(worker.SubmitBlocked(5, gate));

        // The job ignores its token, as a call blocked in the kernel would: Stop does not wait for it.
        worker.Stop();
        Assert.True(worker.IsBusy);
        Assert.True(worker.IsThreadRunning, "the thread cannot have ended: its job is still blocked");
        Assert.False(worker.Join(0));
        Assert.Equal(WorkerSubmitOutcome.Stopped, worker.Submit(6));

        gate.Set();
        Assert.Equal(WakeOutcome.Ready, worker.WaitForCompletion());
        Assert.True(worker.TryTake(out int answer));
        Assert.Equal(10, answer);
        Assert.True(worker.SawStop);
        Assert.True(worker.Join(TestWorker.WaitMs), "the worker thread did not end after its job returned");
        Assert.False(worker.IsThreadRunning);
        Assert.Equal(WorkerSubmitOutcome.Stopped, worker.Submit(7));
    }

    [Fact]
    public void A_job_waiting_on_its_stop_token_returns_when_the_worker_stops_and_the_thread_then_ends()
    {
        using var never = new ManualResetEventSlim();
        using TestWorker worker = TestWorker.Start();
        Assert.True(worker.SubmitBlocked(1, never, honourStop: true));

        worker.Stop();

        Assert.Equal(WakeOutcome.Ready, worker.WaitForCompletion());
        Assert.True(worker.TryTake(out _));
        Assert.True(worker.SawStop);
        Assert.True(worker.Join(TestWorker.WaitMs), "the worker thread did not end after the stop");
    }

    [Fact]
    public void An_idle_worker_that_is_stopped_ends_its_thread_and_refuses_later_jobs()
    {
        using TestWorker worker = TestWorker.Start();
        Assert.True(worker.IsThreadRunning);

        worker.Stop();
        worker.Stop();

        Assert.True(worker.Join(TestWorker.WaitMs), "an idle worker thread did not end on stop");
        Assert.Equal(WorkerSubmitOutcome.Stopped, worker.Submit(1));
        Assert.Equal(0, worker.Runs);
    }

    [Fact]
    public void An_abandoned_job_runs_to_its_end_unseen_no_completion_fires_and_the_worker_becomes_idle_by_itself()
    {
        using var gate = new ManualResetEventSlim();
        using TestWorker worker = TestWorker.Start();
        // The abandoned job also throws: its exception is dropped with its answer, never rethrown later.
        Assert.True(worker.SubmitBlocked(1, gate, fail: true));

        Assert.True(worker.Abandon());
        Assert.False(worker.Abandon());
        Assert.True(worker.IsBusy, "an abandoned job still inside its call keeps the worker busy");
        Assert.False(worker.IsIdle);
        Assert.Equal(WorkerSubmitOutcome.Busy, worker.Submit(2));

        gate.Set();
        Assert.True(ProcFacts.WaitUntil(() => worker.IsIdle), "the worker did not free itself after the abandoned job returned");
        Assert.True(worker.AbandonedSeenByJob);
        Assert.Equal(WakeOutcome.Timeout, worker.WaitForCompletion(0));
        Assert.False(worker.TryTake(out _));

        Assert.Equal(WorkerSubmitOutcome.Accepted, worker.Submit(3));
        Assert.Equal(WakeOutcome.Ready, worker.WaitForCompletion());
        Assert.True(worker.TryTake(out int answer));
        Assert.Equal(6, answer);
        Assert.Equal(2, worker.Runs);
    }

    [Fact]
    public void A_job_that_finished_before_the_loop_gave_up_cannot_be_abandoned_and_its_whole_answer_is_taken()
    {
        using TestWorker worker = TestWorker.Start();
        Assert.Equal(WorkerSubmitOutcome.Accepted, worker.Submit(50));
        Assert.Equal(WakeOutcome.Ready, worker.WaitForCompletion());

        Assert.False(worker.Abandon());

        Assert.True(worker.TryTake(out int answer));
        Assert.Equal(100, answer);
        Assert.True(worker.IsIdle);
    }

    [Fact]
    public void A_job_that_throws_rethrows_on_the_thread_that_takes_it_and_leaves_the_worker_free()
    {
        using TestWorker worker = TestWorker.Start();
        Assert.Equal(WorkerSubmitOutcome.Accepted, worker.Submit(1, fail: true));
        Assert.Equal(WakeOutcome.Ready, worker.WaitForCompletion());

        var thrown = Assert.Throws<InvalidOperationException>(() => worker.TryTake(out _));

        Assert.Contains("broken invariant", thrown.Message);
        Assert.True(worker.IsIdle);
        Assert.True(worker.IsThreadRunning);
        Assert.Equal(WorkerSubmitOutcome.Accepted, worker.Submit(2));
        Assert.Equal(WakeOutcome.Ready, worker.WaitForCompletion());
        Assert.True(worker.TryTake(out int answer));
        Assert.Equal(4, answer);
    }

    [Fact]
    public void Disposing_a_worker_whose_job_is_blocked_keeps_its_eventfd_open_until_the_thread_leaves()
    {
        using var gate = new ManualResetEventSlim();
        TestWorker worker = TestWorker.Start();
        int completionFd = worker.CompletionFd;
        Assert.True(worker.SubmitBlocked(1, gate));

        worker.Dispose();

        // The thread still holds its reference: the fd is not closed under it (nor its number given to another file).
        Assert.Equal("anon_inode:[eventfd]", new FileInfo($"/proc/self/fd/{completionFd}").LinkTarget);
        Assert.True(worker.IsThreadRunning);
        gate.Set();
        Assert.True(worker.Join(TestWorker.WaitMs), "the worker thread did not end after its job returned");
        Assert.Equal(1, worker.Runs);
    }

    [Fact]
    public void Handing_over_running_and_taking_a_job_allocates_nothing_on_either_thread_once_warm()
    {
        using TestWorker worker = TestWorker.Start();
        int input = 0;

        RoundTripAllocation.Result measured = RoundTripAllocation.Measure(
            () => RoundTrip(worker, ++input), () => worker.ThreadAllocatedBytes, warmUpTrips: 10, trips: 1000);

        Assert.Equal(0, measured.Failed);
        Assert.Equal(0, measured.CallerBytes);
        Assert.Equal(0, measured.WorkerBytes);
        Assert.True(measured.Trips >= 1000);
        Assert.Equal(10 + measured.Trips, worker.Runs);
        // Reported, never asserted: hand-over → worker thread runs it → completion eventfd → take.
        TestContext.Current.TestOutputHelper?.WriteLine($"worker round trip: {measured.MicrosecondsPerTrip:F1} µs per job over {measured.Trips} jobs, with the measurement's bracket");
    }

    /// <summary>Hand over, wait for the completion eventfd, take: true when all went as expected (no Assert: it may allocate).</summary>
    private static bool RoundTrip(TestWorker worker, int input) =>
        worker.Submit(input) == WorkerSubmitOutcome.Accepted
        && worker.WaitForCompletion() == WakeOutcome.Ready
        && worker.TryTake(out int answer)
        && answer == input * 2;
}
