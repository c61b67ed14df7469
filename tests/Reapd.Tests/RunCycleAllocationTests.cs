using Reapd.Daemon;
using Reapd.Testing;

namespace Reapd.Tests;

public sealed class RunCycleAllocationTests
{
    [Fact]
    public void One_warm_monitor_cycle_on_a_cgroup_allocates_zero_managed_bytes()
    {
        using TestCgroup cgroup = TestCgroup.Create(256L << 20, "alloc");
        AssertQuietCyclesAllocateNothing(["--cgroup", cgroup.Path, "--json"]);
    }

    [Fact]
    public void One_warm_monitor_cycle_on_the_whole_machine_allocates_zero_managed_bytes()
    {
        AssertQuietCyclesAllocateNothing(["--json", "--dry-run"]);
    }

    private static void AssertQuietCyclesAllocateNothing(string[] args)
    {
        RunOptions options = RunOptionsParser.TryParse(args, out string? error) ?? throw new InvalidOperationException(error);
        var output = new StringWriter();
        var log = new EventLog(output, json: true, journal: false);
        using DaemonLoop guard = DaemonLoop.TryCreate(options, log, out error, out _) ?? throw new InvalidOperationException(error);
        // Not protectSelf: mlockall would lock the whole test host.
        guard.Start(protectSelf: false);
        Assert.Contains("\"event\":\"start\"", output.ToString());
        for (int i = 0; i < 10; i++)
        {
            guard.RunOnce(0);
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 200; i++)
        {
            guard.RunOnce(0);
            _ = guard.NextTimeoutMs();
        }
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        // The cycles did run: memory was read, nothing was wrong, nobody was chosen.
        Assert.Equal(Core.Daemon.VictimPhase.None, guard.Phase);
        Assert.DoesNotContain("\"event\":\"trigger\"", output.ToString());
    }
}
