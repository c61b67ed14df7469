using System.Diagnostics;
using Reapd.Core.Daemon;
using Reapd.Core.Proc;
using Reapd.Linux.Kill;
using Reapd.Linux.Proc;
using Reapd.Linux.Sensors;
using Reapd.Linux.Tests.Threading;
using Reapd.Testing;

namespace Reapd.Linux.Tests.Kill;

/// <summary>The reaper thread: real reaps of real victims off the caller's thread, and jobs that never return.</summary>
public sealed class ReaperThreadTests
{
    private const long MiB = 1 << 20;
    private readonly ProcessReader _reader = new();

    [Fact]
    public void A_SIGKILLed_hog_is_reaped_on_the_reaper_thread_the_completion_eventfd_fires_and_its_cgroup_usage_falls()
    {
        // Frozen, the victim cannot pass exit_mm before the reap, so the kernel's answer is Reaped and not the ESRCH
        // of a victim already freeing its memory itself (TestFreezer explains why this makes it deterministic).
        using var frozen = FrozenHog.Start(256, "reaper");
        (TestCgroup cgroup, TestFreezer freezer, HelperProcess hog, long before) = (frozen.Cgroup, frozen.Freezer, frozen.Hog, frozen.UsageBeforeBytes);
        using var under = ReaperUnderTest.Start();
        (ReaperThread reaper, WakeSet wake) = (under.Reaper, under.Wake);
        int slot = under.Slot;

        Assert.Equal(VictimOpenOutcome.Confirmed, Victim.TryOpen(hog.Pid, StartTime(hog.Pid), _reader, out Victim? victim, Environment.ProcessId));
        using (victim)
        {
            Assert.Equal(SignalOutcome.Sent, victim!.Kill(_reader));
            var job = new VictimReapJob(victim);
            Assert.Equal(ReapSubmitOutcome.Accepted, reaper.Submit(job));

            Assert.Equal(WakeOutcome.Ready, wake.Wait(10_000, out _));
            Assert.True((wake.Fired(slot) & WakeSet.Readable) != 0);
            Assert.True(reaper.TryTakeCompletion(out ReapCompletion done));
            Assert.Same(job, done.Job);
            Assert.Equal(ReapOutcome.Reaped, done.Outcome);
            Assert.Equal("reapd reaper", job.RanOn);
            Assert.Equal(1, job.Attempts);
            Assert.True(done.FinishedTimestamp >= done.StartedTimestamp);
            Assert.False(reaper.IsBusy);
            // The completion was drained: nothing fires any more.
            Assert.Equal(WakeOutcome.Timeout, wake.Wait(0, out _));

            long after = cgroup.UsageBytes;
            Assert.True(after < before - (240 * MiB), $"usage {before} -> {after}: the reap did not free the 256 MiB");
            Assert.False(victim.HasExited, "the frozen victim cannot have exited: the memory came back through the reap alone");
            freezer.Thaw();
            Assert.True(victim.WaitForExit(10_000), "the victim did not exit after thawing");
        }
    }

    [Fact]
    public void A_job_that_never_returns_leaves_the_caller_sampling_refuses_a_second_job_and_the_thread_stops_without_being_waited_for()
    {
        using var release = new ManualResetEventSlim();
        using var under = ReaperUnderTest.Start();
        (ReaperThread reaper, WakeSet wake) = (under.Reaper, under.Wake);
        Assert.Equal(ProcReadOutcome.Ok, SystemMemorySensor.TryOpen(out SystemMemorySensor? sensor));
        using (sensor)
        {
            var stuck = new BlockingJob(release, honourStop: false);
            Assert.Equal(ReapSubmitOutcome.Accepted, reaper.Submit(stuck));
            Assert.True(stuck.Started.Wait(10_000, TestContext.Current.CancellationToken), "the reaper thread did not start the job");

            // The caller goes on as the loop would: it samples memory and polls the completion, which does not fire.
            for (int i = 0; i < 20; i++)
            {
                Assert.True(sensor!.TryRead(i, out MemorySample sample));
                Assert.True(sample.TotalBytes > 0);
                Assert.Equal(WakeOutcome.Timeout, wake.Wait(1, out _));
            }
            Assert.True(reaper.IsBusy);
            Assert.InRange(reaper.BusySinceTimestamp, 1, Stopwatch.GetTimestamp());
            Assert.False(reaper.TryTakeCompletion(out _));
            Assert.Equal(ReapSubmitOutcome.Busy, reaper.Submit(new ImmediateJob(ReapOutcome.Reaped)));

            // Stop returns while the job is still blocked: nobody waits for it.
            reaper.Stop();
            Assert.True(reaper.IsBusy);
            Assert.True(reaper.IsThreadRunning, "the thread cannot have ended: its job is still blocked");
            Assert.Equal(ReapSubmitOutcome.Stopped, reaper.Submit(new ImmediateJob(ReapOutcome.Reaped)));

            // Unblocked at last, the job completes as usual and the stopped thread then ends.
            release.Set();
            Assert.Equal(WakeOutcome.Ready, wake.Wait(10_000, out _));
            Assert.True(reaper.TryTakeCompletion(out ReapCompletion done));
            Assert.Same(stuck, done.Job);
            Assert.Equal(ReapOutcome.Reaped, done.Outcome);
            Assert.True(stuck.SawStop);
            Assert.True(ProcFacts.WaitUntil(() => !reaper.IsThreadRunning), "the reaper thread did not end after its job returned");
        }
    }

    [Fact]
    public void A_job_waiting_between_attempts_sees_the_stop_flag_and_returns_when_the_reaper_stops()
    {
        using var never = new ManualResetEventSlim();
        using var under = ReaperUnderTest.Start();
        (ReaperThread reaper, WakeSet wake) = (under.Reaper, under.Wake);
        var job = new BlockingJob(never, honourStop: true);
        Assert.Equal(ReapSubmitOutcome.Accepted, reaper.Submit(job));
        Assert.True(job.Started.Wait(10_000, TestContext.Current.CancellationToken));

        reaper.Stop();

        Assert.Equal(WakeOutcome.Ready, wake.Wait(10_000, out _));
        Assert.True(reaper.TryTakeCompletion(out ReapCompletion done));
        Assert.Equal(ReapOutcome.Interrupted, done.Outcome);
        Assert.True(job.SawStop);
        Assert.True(ProcFacts.WaitUntil(() => !reaper.IsThreadRunning), "the reaper thread did not end after the stop");
    }

    [Fact]
    public void A_finished_job_must_be_taken_before_the_next_is_accepted()
    {
        using var under = ReaperUnderTest.Start();
        (ReaperThread reaper, WakeSet wake) = (under.Reaper, under.Wake);
        var first = new ImmediateJob(ReapOutcome.AlreadyExiting);
        Assert.Equal(ReapSubmitOutcome.Accepted, reaper.Submit(first));
        Assert.Equal(WakeOutcome.Ready, wake.Wait(10_000, out _));

        Assert.Equal(ReapSubmitOutcome.CompletionNotTaken, reaper.Submit(new ImmediateJob(ReapOutcome.Reaped)));
        Assert.True(reaper.TryTakeCompletion(out ReapCompletion done));
        Assert.Equal(ReapOutcome.AlreadyExiting, done.Outcome);
        Assert.False(reaper.TryTakeCompletion(out _));
        Assert.Equal(ReapSubmitOutcome.Accepted, reaper.Submit(new ImmediateJob(ReapOutcome.Reaped)));
    }

    [Fact]
    public void A_job_that_throws_rethrows_on_the_thread_that_takes_its_completion_and_frees_the_mailbox()
    {
        using var under = ReaperUnderTest.Start();
        (ReaperThread reaper, WakeSet wake) = (under.Reaper, under.Wake);
        Assert.Equal(ReapSubmitOutcome.Accepted, reaper.Submit(new ImmediateJob(ReapOutcome.Reaped, fail: true)));
        Assert.Equal(WakeOutcome.Ready, wake.Wait(10_000, out _));

        var thrown = Assert.Throws<InvalidOperationException>(() => reaper.TryTakeCompletion(out _));
        Assert.Contains("broken invariant", thrown.Message);
        Assert.True(reaper.IsThreadRunning);
        Assert.Equal(ReapSubmitOutcome.Accepted, reaper.Submit(new ImmediateJob(ReapOutcome.Reaped)));
    }

    [Fact]
    public void Submitting_running_and_taking_a_job_allocates_nothing_on_either_thread_once_warm()
    {
        using var under = ReaperUnderTest.Start();
        (ReaperThread reaper, WakeSet wake) = (under.Reaper, under.Wake);
        var job = new ImmediateJob(ReapOutcome.Reaped);

        RoundTripAllocation.Result measured = RoundTripAllocation.Measure(
            () => RoundTrip(reaper, wake, job), () => reaper.ThreadAllocatedBytes, warmUpTrips: 10, trips: 1000);

        Assert.Equal(0, measured.Failed);
        Assert.Equal(0, measured.CallerBytes);
        Assert.Equal(0, measured.WorkerBytes);
        Assert.True(measured.Trips >= 1000);
        Assert.Equal(10 + measured.Trips, job.Runs);
        // Reported, never asserted: submit → reaper thread runs it → completion eventfd → take.
        TestContext.Current.TestOutputHelper?.WriteLine($"reaper round trip: {measured.MicrosecondsPerTrip:F1} µs per job over {measured.Trips} jobs, with the measurement's bracket");
    }

    /// <summary>Submit, wait for the completion eventfd, take: true when all went as expected (no Assert: it may allocate).</summary>
    private static bool RoundTrip(ReaperThread reaper, WakeSet wake, ImmediateJob job) =>
        reaper.Submit(job) == ReapSubmitOutcome.Accepted
        && wake.Wait(10_000, out _) == WakeOutcome.Ready
        && reaper.TryTakeCompletion(out ReapCompletion done)
        && done.Outcome == ReapOutcome.Reaped
        && ReferenceEquals(done.Job, job);

    private ulong StartTime(int pid)
    {
        Assert.Equal(ProcReadOutcome.Ok, _reader.TryReadStat(pid, out ProcStat stat));
        return stat.StartTimeTicks;
    }
}
