using Reapd.Core.Daemon;
using Reapd.Linux.Proc;
using Reapd.Linux.Sensors;
using Reapd.Testing;

namespace Reapd.Linux.Tests.Sensors;

/// <summary>Every type of the sensors that owns a handle may be disposed twice: the second time does nothing.</summary>
public sealed class DoubleDisposeTests
{
    [Fact]
    public void The_system_sensor_its_readers_an_eventfd_and_a_PSI_trigger_survive_a_second_dispose()
    {
        Assert.Equal(ProcReadOutcome.Ok, SystemMemorySensor.TryOpen(out SystemMemorySensor? system));
        system!.Dispose();
        system.Dispose();

        MemInfoReader meminfo = MemInfoReader.Open();
        meminfo.Dispose();
        meminfo.Dispose();

        EventFdHandle eventFd = EventFdHandle.Create(out _)!;
        eventFd.Dispose();
        eventFd.Dispose();
        Assert.True(eventFd.IsClosed);

        if (PsiTrigger.TryArm("/proc/pressure/memory", PsiStallKind.Some, 200_000, 2_000_000, out PsiTrigger? trigger, out _) == PsiTriggerOutcome.Armed)
        {
            trigger!.Dispose();
            trigger.Dispose();
            Assert.True(trigger.IsClosed);
        }

        PressureReader? pressure = PressureReader.TryOpen(PressureReader.SystemPath(), out _);
        pressure?.Dispose();
        pressure?.Dispose();

        var wake = new WakeSet(1);
        wake.Dispose();
        wake.Dispose();
    }

    [Fact]
    public void The_cgroup_v1_sensor_notifications_and_usage_reader_survive_a_second_dispose()
    {
        using TestCgroup cgroup = TestCgroup.Create(64L << 20, "dispose");
        Assert.Equal(ProcReadOutcome.Ok, CgroupV1MemorySensor.TryOpen(cgroup.Path, null, out CgroupV1MemorySensor? sensor));
        sensor!.Dispose();
        sensor.Dispose();

        CgroupV1Notifications notifications = CgroupV1Notifications.Register(cgroup.Path, out _);
        notifications.Dispose();
        notifications.Dispose();

        CgroupUsageReader? usage = CgroupUsageReader.TryOpen(cgroup.Path, out ProcReadOutcome outcome);
        Assert.Equal(ProcReadOutcome.Ok, outcome);
        usage!.Dispose();
        usage.Dispose();
    }
}
