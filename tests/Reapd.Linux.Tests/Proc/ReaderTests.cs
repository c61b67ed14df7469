using Reapd.Core.Proc;
using Reapd.Linux.Proc;
using Reapd.Testing;

namespace Reapd.Linux.Tests.Proc;

public sealed class ReaderTests
{
    [Fact]
    public void The_meminfo_reader_pointed_at_the_fixtures_reads_the_captured_values()
    {
        using var reader = MemInfoReader.Open(ProcFixtures.Root);
        Assert.Equal(ProcReadOutcome.Ok, reader.TryRead(out MemInfo info));
        Assert.Equal(24683620, info.MemTotalKiB);
        Assert.Equal(24290136, info.MemAvailableKiB);
    }

    [Fact]
    public void The_pressure_reader_pointed_at_the_fixtures_reads_the_captured_file()
    {
        using PressureReader? reader = PressureReader.TryOpen(PressureReader.SystemPath(ProcFixtures.Root), out ProcReadOutcome opened);
        Assert.Equal(ProcReadOutcome.Ok, opened);
        Assert.NotNull(reader);
        {
            Assert.Equal(ProcReadOutcome.Ok, reader.TryRead(out Pressure pressure));
            Assert.True(pressure.HasFull);
        }
    }

    [Fact]
    public void A_missing_pressure_file_is_an_outcome_not_an_exception()
    {
        Assert.Null(PressureReader.TryOpen("/nonexistent/pressure/memory", out ProcReadOutcome outcome));
        Assert.Equal(ProcReadOutcome.Gone, outcome);
    }

    [Fact]
    public void Warm_reads_of_the_live_meminfo_and_memory_pressure_allocate_nothing()
    {
        using var meminfo = MemInfoReader.Open();
        using PressureReader? pressure = PressureReader.TryOpen(PressureReader.SystemPath(), out ProcReadOutcome opened);
        Assert.NotNull(pressure);
        {
            Assert.Equal(ProcReadOutcome.Ok, meminfo.TryRead(out MemInfo first));
            Assert.True(first.MemTotalKiB > 0);
            Assert.Equal(ProcReadOutcome.Ok, pressure.TryRead(out _));
            int failures = 0;
            long totalKiB = first.MemTotalKiB;
            // 50 pairs of reads, each measured on its own (ThreadAllocation).
            long allocated = ThreadAllocation.Measure(50, () =>
            {
                // No assertion inside the measured region: xunit's asserts allocate.
                if (meminfo.TryRead(out MemInfo info) != ProcReadOutcome.Ok || info.MemTotalKiB != totalKiB)
                {
                    failures++;
                }
                if (pressure.TryRead(out _) != ProcReadOutcome.Ok)
                {
                    failures++;
                }
            });
            Assert.Equal(0, failures);
            Assert.Equal(0, allocated);
        }
    }

    [Fact]
    public void The_process_reader_pointed_at_the_fixtures_reads_every_file_of_a_process()
    {
        var reader = new ProcessReader(ProcFixtures.Root);
        Assert.Equal(ProcReadOutcome.Ok, reader.TryReadStat(ProcFixtures.NameWithParens, out ProcStat stat));
        Assert.Equal("a)))b", stat.Name.ToString());
        Assert.Equal(ProcReadOutcome.Ok, reader.TryReadStatus(ProcFixtures.Hog, out ProcStatus status));
        Assert.Equal(65640, status.RssAnonKiB);
        Assert.Equal(ProcReadOutcome.Ok, reader.TryReadOomScoreAdj(ProcFixtures.OomScoreAdjMin, out int adj));
        Assert.Equal(-1000, adj);
        Span<byte> cmdline = stackalloc byte[256];
        Assert.Equal(ProcReadOutcome.Ok, reader.TryReadCmdline(ProcFixtures.KernelThread, cmdline, out int length));
        Assert.Equal(0, length);
        Assert.Equal(ProcReadOutcome.Ok, reader.TryReadMemoryCgroupPath(ProcFixtures.Hog, out string? cgroup));
        Assert.Equal("/process_api/76ac58d1b7ed419694f863d437f06c65", cgroup);
    }

    [Fact]
    public void A_pid_that_does_not_exist_reads_as_gone()
    {
        var reader = new ProcessReader();
        Assert.Equal(ProcReadOutcome.Gone, reader.TryReadStat(int.MaxValue, out _));
        Assert.Equal(ProcReadOutcome.Gone, reader.TryReadStatus(int.MaxValue, out _));
        Assert.Equal(ProcReadOutcome.Gone, reader.TryReadOomScoreAdj(int.MaxValue, out _));
    }

    [Fact]
    public void This_process_reads_with_its_own_pid_and_a_start_time()
    {
        var reader = new ProcessReader();
        Assert.Equal(ProcReadOutcome.Ok, reader.TryReadStat(Environment.ProcessId, out ProcStat stat));
        Assert.Equal(Environment.ProcessId, stat.Pid);
        Assert.True(stat.StartTimeTicks > 0);
        Assert.Equal(ProcReadOutcome.Ok, reader.TryReadStatus(Environment.ProcessId, out ProcStatus status));
        Assert.True(status.HasMm);
        Assert.True(status.RssAnonKiB > 0);
    }

    [Fact]
    public void A_process_that_exited_reads_as_gone()
    {
        var reader = new ProcessReader();
        int pid;
        using (var hog = HelperProcess.Start("hog", ["--mib", "1"]))
        {
            hog.WaitForLine("ready");
            pid = hog.Pid;
            Assert.Equal(ProcReadOutcome.Ok, reader.TryReadStat(pid, out _));
        }
        Assert.Equal(ProcReadOutcome.Gone, reader.TryReadStat(pid, out _));
        Assert.Equal(ProcReadOutcome.Gone, reader.TryReadStatus(pid, out _));
    }
}
