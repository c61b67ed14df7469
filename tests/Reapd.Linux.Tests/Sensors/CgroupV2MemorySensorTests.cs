using Reapd.Core.Daemon;
using Reapd.Linux.Proc;
using Reapd.Linux.Sensors;
using Reapd.Testing;

namespace Reapd.Linux.Tests.Sensors;

/// <summary>The v2 memory controller is not enabled on the test machine, so the v2 sensor reads captured-format fixtures.</summary>
public sealed class CgroupV2MemorySensorTests
{
    private static string Fixtures(string sub = "") => Path.Combine(NativeProgram.RepositoryRoot, "tests", "fixtures", "cgroup2", sub);

    [Fact]
    public void A_limited_v2_group_reads_as_limit_minus_usage_reclaim_cannot_drop()
    {
        Assert.Equal(ProcReadOutcome.Ok, CgroupV2MemorySensor.TryOpen(Fixtures(), null, out CgroupV2MemorySensor? sensor));
        using (sensor)
        {
            Assert.True(sensor!.TryRead(1234, out MemorySample sample));
            Assert.Equal(1234, sample.TimeMs);
            Assert.Equal(512L << 20, sample.TotalBytes);
            // 512 MiB - (402653184 current - 52428800 inactive_file)
            Assert.Equal((512L << 20) - (402653184 - 52428800), sample.AvailableBytes);
            Assert.True(sample.Psi.Present);
            Assert.Equal(4171327, sample.Psi.SomeTotalUs);
            Assert.Equal(3526874, sample.Psi.FullTotalUs);
            Assert.Equal(1.20, sample.Psi.FullAvg10, 3);
            Assert.Equal(Path.Combine(Fixtures(), "memory.pressure"), sensor.PressurePath);
            Assert.Equal(1, sensor.ReadKernelOomKills());
        }
    }

    [Fact]
    public void A_v2_group_without_a_limit_is_bounded_by_the_machine()
    {
        Assert.Equal(ProcReadOutcome.Ok, SystemMemorySensor.TryOpen(out SystemMemorySensor? system, Fixtures("proc")));
        using (system)
        {
            Assert.Equal(ProcReadOutcome.Ok, CgroupV2MemorySensor.TryOpen(Fixtures("unlimited"), system, out CgroupV2MemorySensor? sensor));
            using (sensor)
            {
                Assert.True(sensor!.TryRead(0, out MemorySample sample));
                Assert.Equal(24683620L * 1024, sample.TotalBytes);
                // The group uses 1 MiB; the machine's MemAvailable is the smaller bound.
                Assert.Equal(23947056L * 1024, sample.AvailableBytes);
                Assert.False(sample.HasSwap);
                Assert.False(sample.Psi.Present);
                Assert.Null(sensor.PressurePath);
            }
        }
    }

    [Fact]
    public void Without_a_limit_or_a_machine_bound_the_v2_group_gives_no_sample()
    {
        Assert.Equal(ProcReadOutcome.Ok, CgroupV2MemorySensor.TryOpen(Fixtures("unlimited"), null, out CgroupV2MemorySensor? sensor));
        using (sensor)
        {
            Assert.False(sensor!.TryRead(0, out _));
        }
    }

    [Fact]
    public void A_directory_without_the_v2_files_is_not_a_v2_group()
    {
        Assert.Equal(ProcReadOutcome.Gone, CgroupV2MemorySensor.TryOpen(Fixtures("proc"), null, out CgroupV2MemorySensor? sensor));
        Assert.Null(sensor);
    }
}
