using Reapd.Core.Daemon;
using Reapd.Linux.Proc;
using Reapd.Linux.Sensors;
using Reapd.Testing;

namespace Reapd.Linux.Tests.Sensors;

public sealed class SystemMemorySensorTests
{
    [Fact]
    public void The_machine_reads_as_MemAvailable_of_MemTotal_with_its_PSI()
    {
        string root = Path.Combine(NativeProgram.RepositoryRoot, "tests", "fixtures", "proc");
        Assert.Equal(ProcReadOutcome.Ok, SystemMemorySensor.TryOpen(out SystemMemorySensor? sensor, root));
        using (sensor)
        {
            Assert.True(sensor!.TryRead(7, out MemorySample sample));
            Assert.True(sensor.TryReadMemInfo(out var info));
            Assert.Equal(info.MemAvailableKiB * 1024, sample.AvailableBytes);
            Assert.Equal(info.MemTotalKiB * 1024, sample.TotalBytes);
            Assert.Equal(info.SwapTotalKiB * 1024, sample.SwapTotalBytes);
            Assert.True(sample.Psi.Present);
            Assert.Equal(Path.Combine(root, "pressure", "memory"), sensor.PressurePath);
        }
    }

    [Fact]
    public void The_live_machine_reads_without_allocating_once_warm()
    {
        Assert.Equal(ProcReadOutcome.Ok, SystemMemorySensor.TryOpen(out SystemMemorySensor? sensor));
        using (sensor)
        {
            Assert.True(sensor!.TryRead(0, out MemorySample first));
            Assert.True(first.TotalBytes > 0 && first.AvailableBytes > 0 && first.AvailableBytes <= first.TotalBytes);
            int now = 0, failed = 0;
            // 100 reads, each measured on its own (ThreadAllocation); one run again is just the next reading.
            Assert.Equal(0, ThreadAllocation.Measure(100, () => failed += sensor.TryRead(now++, out _) ? 0 : 1));
            Assert.Equal(0, failed);
        }
    }
}
