using System.Text;
using Reapd.Linux.Proc;
using Reapd.Linux.Sensors;
using Reapd.Testing;

namespace Reapd.Linux.Tests.Sensors;

/// <summary>
/// The kernfs notification of cgroup v2 events files, on this machine's cgroup2 hierarchy (no memory controller here,
/// so cgroup.events stands in for memory.events: both are kernfs files the kernel notifies the same way; the guest
/// tests use memory.events itself).
/// </summary>
public sealed class CgroupEventsWatchTests
{
    [Fact]
    public void A_change_of_an_events_file_wakes_the_poll_once_and_draining_re_arms_it()
    {
        using UnifiedTestCgroup cgroup = UnifiedTestCgroup.Create("events");
        Assert.Equal(ProcReadOutcome.Ok, CgroupEventsWatch.TryOpen(Path.Combine(cgroup.Path, "cgroup.events"), out CgroupEventsWatch? opened));
        using CgroupEventsWatch watch = opened!;
        using var wake = new WakeSet(1);
        int slot = wake.Add(watch.Fd, CgroupEventsWatch.PollEvents);
        Assert.Equal(WakeOutcome.Timeout, wake.Wait(0, out _)); // opened and read: nothing pending

        using var sleeper = cgroup.StartSleeper(); // populated 0 -> 1
        Assert.Equal(WakeOutcome.Ready, wake.Wait(10_000, out _));
        Assert.True(CgroupEventsWatch.Changed(wake.Fired(slot)));
        Assert.Equal(ProcReadOutcome.Ok, watch.Drain(out ReadOnlySpan<byte> text));
        Assert.Contains("populated 1", Encoding.ASCII.GetString(text), StringComparison.Ordinal);
        Assert.Equal(WakeOutcome.Timeout, wake.Wait(0, out _)); // drained: re-armed, quiet until the next change

        sleeper.Kill(); // populated 1 -> 0
        sleeper.WaitForExit();
        Assert.Equal(WakeOutcome.Ready, wake.Wait(10_000, out _));
        Assert.True(CgroupEventsWatch.Changed(wake.Fired(slot)));
        Assert.Equal(ProcReadOutcome.Ok, watch.Drain(out text));
        Assert.Contains("populated 0", Encoding.ASCII.GetString(text), StringComparison.Ordinal);
    }

    [Fact]
    public void Draining_allocates_nothing()
    {
        using UnifiedTestCgroup cgroup = UnifiedTestCgroup.Create("events-alloc");
        Assert.Equal(ProcReadOutcome.Ok, CgroupEventsWatch.TryOpen(Path.Combine(cgroup.Path, "cgroup.events"), out CgroupEventsWatch? opened));
        using CgroupEventsWatch watch = opened!;
        _ = watch.Drain(out _);
        // 100 drains, each measured on its own (ThreadAllocation).
        Assert.Equal(0, ThreadAllocation.Measure(100, () => _ = watch.Drain(out _)));
    }

    [Fact]
    public void An_events_file_that_does_not_exist_is_gone_not_an_exception()
    {
        Assert.Equal(ProcReadOutcome.Gone, CgroupEventsWatch.TryOpen("/sys/fs/cgroup/reapd-no-such-cgroup/memory.events", out CgroupEventsWatch? watch));
        Assert.Null(watch);
    }
}
