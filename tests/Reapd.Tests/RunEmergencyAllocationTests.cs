using Reapd.Daemon;
using Reapd.Testing;

namespace Reapd.Tests;

/// <summary>
/// What the emergency path allocates on the loop thread (docs/reliability.md, "Under its own pressure"): a whole
/// emergency — samples down to the term level, scan, choice, SIGTERM, escalation, SIGKILL, reap handed over and
/// answered, exit, settle, every event line into the writer's ring — measured with GC.GetAllocatedBytesForCurrentThread
/// on the thread that runs the cycles. A real hog in a child v1 memory cgroup; the event lines go through the real
/// writer thread to a pipe that is read.
/// </summary>
public sealed class RunEmergencyAllocationTests
{
    private const long MiB = 1L << 20;

    private static long Emergency(DaemonLoop guard, TestCgroup cgroup)
    {
        // 256 MiB/s: from the term level to the limit takes about 200 ms, time enough for the loop on a busy shared
        // machine; at 1 GiB/s (50 ms) the kernel's OOM killer sometimes took the hog first, and nothing was measured.
        long kernelKillsBefore = cgroup.KernelOomKills;
        using HelperProcess hog = RunHogs.Start(cgroup, 1024, rateMiBPerSecond: 256);
        // The raw counter, not ThreadAllocation: an emergency cannot be re-run as a piece (a cycle run again is another
        // step of it). The range asserted below leaves room for one tail the runtime may count (docs/reliability.md).
        long before = GC.GetAllocatedBytesForCurrentThread();
        bool seenVictim = false;
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        while (deadline.ElapsedMilliseconds < 30_000 && !(seenVictim && guard.Phase == Core.Daemon.VictimPhase.None))
        {
            guard.RunOnce(guard.NextTimeoutMs());
            seenVictim |= guard.Phase != Core.Daemon.VictimPhase.None;
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(seenVictim, kernelKillsBefore == cgroup.KernelOomKills ? "no victim was chosen" : "no victim was chosen: the kernel's OOM killer took the hog first");
        Assert.Equal(Core.Daemon.VictimPhase.None, guard.Phase);
        Assert.True(hog.WaitForExit(10_000));
        Assert.True(ProcFacts.WaitUntil(() => cgroup.UsageBytes < 128 * MiB), "the hog's memory did not come back");
        return allocated;
    }

    [Fact]
    public void A_whole_emergency_allocates_only_the_victims_handles_its_sharer_listing_and_its_reap_job_on_the_loop_thread()
    {
        using TestCgroup cgroup = TestCgroup.Create(512 * MiB, "ealloc");
        using TestPipe pipe = TestPipe.Create();
        LineReader reader = LineReader.Start(pipe.Reader);
        using EventWriter writer = EventWriter.TryStart(pipe.Writer, json: true, journal: false, out int errno)
            ?? throw new InvalidOperationException($"eventfd: {errno}");
        RunOptions options = RunOptionsParser.TryParse(["--cgroup", cgroup.Path, "--json", "--notify-desktop", "off"], out string? error)
            ?? throw new InvalidOperationException(error);
        using DaemonLoop guard = DaemonLoop.TryCreate(options, new EventLog(writer), out error, out _) ?? throw new InvalidOperationException(error);
        guard.Start(protectSelf: false); // mlockall would lock the whole test host
        for (int i = 0; i < 10; i++)
        {
            guard.RunOnce(0);
        }

        // The first emergency also pays for what is done once (buffers that reach their working size, first-use caches);
        // the second is what every later one costs.
        long first = Emergency(guard, cgroup);
        long second = Emergency(guard, cgroup);
        TestContext.Current.TestOutputHelper?.WriteLine($"the first emergency allocated {first} bytes on the loop thread, the second {second}");
        // Measured: 4424 bytes at the choice — the sharer search's listing of /proc (an array of 1024 pids, 4 KiB, doubled
        // on a machine with more processes), the Victim, its pidfd's SafeHandle, its sharer list — and 176 at the SIGKILL
        // (the reap job handed to the reaper thread). Per victim, never per cycle: 16 KiB bounds it up to 3000 processes.
        Assert.InRange(second, 1, 16 * 1024);
        guard.RequestStop("test");
        _ = writer.Stop(10_000);
    }
}
