using System.Diagnostics;
using Reapd.Core.Daemon;
using Reapd.Linux.Proc;
using Reapd.Linux.Sensors;
using Reapd.Testing;

namespace Reapd.Linux.Tests.Sensors;

/// <summary>The v1 memory controller is real on this machine: these read a live child memory cgroup.</summary>
public sealed class CgroupV1SensorTests
{
    private const long MiB = 1L << 20;

    [Fact]
    public void A_v1_group_reads_its_limit_and_sees_a_hog_take_memory()
    {
        using TestCgroup cgroup = TestCgroup.Create(128 * MiB, "sensor");
        Assert.Equal(ProcReadOutcome.Ok, CgroupV1MemorySensor.TryOpen(cgroup.Path, null, out CgroupV1MemorySensor? sensor));
        using (sensor)
        {
            Assert.True(sensor!.TryRead(1, out MemorySample empty));
            Assert.Equal(128 * MiB, empty.TotalBytes);
            Assert.False(empty.HasSwap);
            Assert.False(empty.Psi.Present);
            Assert.InRange(empty.AvailableBytes, 120 * MiB, 128 * MiB);

            using HelperProcess hog = Hogs.Start(cgroup, 64);
            Assert.True(sensor.TryRead(2, out MemorySample held));
            Assert.InRange(empty.AvailableBytes - held.AvailableBytes, 60 * MiB, 72 * MiB);
            Assert.Equal(0, sensor.ReadKernelOomKills());
        }
    }

    [Fact]
    public void A_warm_v1_read_allocates_nothing()
    {
        using TestCgroup cgroup = TestCgroup.Create(64 * MiB, "alloc");
        Assert.Equal(ProcReadOutcome.Ok, CgroupV1MemorySensor.TryOpen(cgroup.Path, null, out CgroupV1MemorySensor? sensor));
        using (sensor)
        {
            Assert.True(sensor!.TryRead(0, out _));
            int now = 0, failed = 0;
            // 100 reads, each measured on its own (ThreadAllocation); one run again is just the next reading.
            Assert.Equal(0, ThreadAllocation.Measure(100, () => failed += sensor.TryRead(now++, out _) ? 0 : 1));
            Assert.Equal(0, failed);
        }
    }

    [Fact]
    public void The_oom_eventfd_fires_when_the_kernel_OOM_kills_in_the_group()
    {
        using TestCgroup cgroup = TestCgroup.Create(32 * MiB, "oomfd");
        using CgroupV1Notifications notifications = CgroupV1Notifications.Register(cgroup.Path, out string? problems);
        Assert.Null(problems);
        Assert.NotNull(notifications.Oom);
        Assert.NotNull(notifications.Pressure);
        Assert.Equal(0ul, notifications.Oom!.Drain());

        // A hog twice the limit: the memcg OOM killer takes it (its oom_score_adj is 1000), the eventfd fires.
        using HelperProcess hog = Hogs.Launch(cgroup, 64);
        using var wake = new WakeSet(2);
        int oomSlot = wake.Add(notifications.Oom.Fd, WakeSet.Readable);
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(20) && (wake.Fired(oomSlot) & WakeSet.Readable) == 0)
        {
            wake.Wait(200, out _);
        }
        Assert.True((wake.Fired(oomSlot) & WakeSet.Readable) != 0, "no OOM notification within 20 s");
        Assert.True(notifications.Oom.Drain() > 0);
        Assert.True(hog.WaitForExit(20_000));
        Assert.True(cgroup.KernelOomKills >= 1);
    }
}
