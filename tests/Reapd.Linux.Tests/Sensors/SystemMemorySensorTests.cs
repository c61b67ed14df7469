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
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 100; i++)
            {
                Assert.True(sensor.TryRead(i, out _));
            }
            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        }
    }
}
