using Reapd.Core.Proc;
using Reapd.Testing;

namespace Reapd.Core.Tests.Proc;

public sealed class SystemFileParserTests
{
    [Fact]
    public void Meminfo_gives_total_available_and_swap_in_KiB()
    {
        Assert.True(MemInfoParser.TryParse(ProcFixtures.Read("meminfo"), out MemInfo info));
        Assert.Equal(24683620, info.MemTotalKiB);
        Assert.Equal(23236768, info.MemFreeKiB);
        Assert.Equal(24290136, info.MemAvailableKiB);
        Assert.Equal(1218304, info.CachedKiB);
        Assert.Equal(0, info.SwapTotalKiB);
        Assert.Equal(0, info.SwapFreeKiB);
    }

    [Fact]
    public void Meminfo_without_MemAvailable_is_rejected()
    {
        Assert.False(MemInfoParser.TryParse("MemTotal:  100 kB\nMemFree:  50 kB\n"u8, out _));
        Assert.False(MemInfoParser.TryParse("MemTotal:  lots kB\nMemAvailable:  50 kB\n"u8, out _));
    }

    [Fact]
    public void Memory_pressure_gives_some_and_full_averages_and_stall_totals()
    {
        byte[] text = "some avg10=0.82 avg60=0.19 avg300=0.04 total=252882\nfull avg10=0.55 avg60=0.12 avg300=0.02 total=214291\n"u8.ToArray();
        Assert.True(PressureParser.TryParse(text, out Pressure pressure));
        Assert.Equal(0.82, pressure.Some.Avg10Percent);
        Assert.Equal(0.19, pressure.Some.Avg60Percent);
        Assert.Equal(0.04, pressure.Some.Avg300Percent);
        Assert.Equal(252882ul, pressure.Some.TotalStallUs);
        Assert.True(pressure.HasFull);
        Assert.Equal(0.55, pressure.Full.Avg10Percent);
        Assert.Equal(214291ul, pressure.Full.TotalStallUs);
    }

    [Fact]
    public void The_captured_pressure_file_parses()
    {
        Assert.True(PressureParser.TryParse(ProcFixtures.Read(Path.Combine("pressure", "memory")), out Pressure pressure));
        Assert.True(pressure.HasFull);
        Assert.Equal(0.0, pressure.Some.Avg10Percent);
    }

    [Theory]
    [InlineData("")]
    [InlineData("full avg10=0.55 avg60=0.12 avg300=0.02 total=214291\n")]
    [InlineData("some avg10=0.82 avg60=0.19 total=252882\n")]
    [InlineData("some avg10=x avg60=0.19 avg300=0.04 total=252882\n")]
    public void A_pressure_file_without_a_complete_some_line_is_rejected(string text)
    {
        Assert.False(PressureParser.TryParse(System.Text.Encoding.ASCII.GetBytes(text), out _));
    }

    [Theory]
    [InlineData(ProcFixtures.Hog, 1000)]
    [InlineData(ProcFixtures.OomScoreAdjMin, -1000)]
    [InlineData(ProcFixtures.Init, 0)]
    public void Oom_score_adj_is_read_from_the_fixture(int pid, int expected)
    {
        Assert.True(OomScoreAdjParser.TryParse(ProcFixtures.Read(pid, "oom_score_adj"), out int adj));
        Assert.Equal(expected, adj);
    }

    [Theory]
    [InlineData("1001\n")]
    [InlineData("-1001\n")]
    [InlineData("")]
    [InlineData("ten\n")]
    public void An_oom_score_adj_outside_its_range_is_rejected(string text)
    {
        Assert.False(OomScoreAdjParser.TryParse(System.Text.Encoding.ASCII.GetBytes(text), out _));
    }

    [Fact]
    public void A_kernel_thread_has_an_empty_cmdline()
    {
        byte[] raw = ProcFixtures.Read(ProcFixtures.KernelThread, "cmdline");
        Assert.Empty(raw);
        Assert.Equal(0, CmdlineParser.CountArguments(raw));
        Assert.Equal("", CmdlineParser.ToDisplayString(raw));
    }

    [Fact]
    public void A_cmdline_is_NUL_separated_arguments()
    {
        byte[] raw = ProcFixtures.Read(ProcFixtures.Hog, "cmdline");
        Assert.Equal(3, CmdlineParser.CountArguments(raw));
        Assert.EndsWith("/hog", System.Text.Encoding.UTF8.GetString(CmdlineParser.FirstArgument(raw)));
        Assert.EndsWith("/hog --mib 64", CmdlineParser.ToDisplayString(raw));
    }

    [Fact]
    public void The_v1_memory_cgroup_and_the_cgroup2_path_are_found()
    {
        byte[] text = ProcFixtures.Read(ProcFixtures.Hog, "cgroup");
        Assert.True(ProcCgroupParser.TryFindV1(text, "memory"u8, out var memory));
        Assert.Equal("/process_api/76ac58d1b7ed419694f863d437f06c65", System.Text.Encoding.UTF8.GetString(memory));
        Assert.True(ProcCgroupParser.TryFindUnified(text, out var unified));
        Assert.Equal("/", System.Text.Encoding.UTF8.GetString(unified));
        Assert.True(ProcCgroupParser.TryFindV1("3:cpu,cpuacct:/x\n"u8, "cpuacct"u8, out var cpu));
        Assert.Equal("/x", System.Text.Encoding.UTF8.GetString(cpu));
        Assert.False(ProcCgroupParser.TryFindV1("0::/\n"u8, "memory"u8, out _));
    }

    [Fact]
    public void Cgroup_procs_fills_the_destination_and_reports_when_it_is_full()
    {
        Span<int> pids = stackalloc int[3];
        int count = 0;
        Assert.True(CgroupProcsParser.TryAppend("10\n20\n"u8, pids, ref count));
        Assert.Equal(2, count);
        Assert.False(CgroupProcsParser.TryAppend("30\n40\n"u8, pids, ref count));
        Assert.Equal(3, count);
        Assert.Equal([10, 20, 30], pids.ToArray());
        int none = 0;
        Assert.False(CgroupProcsParser.TryAppend("x\n"u8, pids, ref none));
    }

    [Fact]
    public void Parsing_every_file_allocates_nothing()
    {
        byte[] stat = ProcFixtures.Read(ProcFixtures.NameWithParens, "stat");
        byte[] status = ProcFixtures.Read(ProcFixtures.Hog, "status");
        byte[] meminfo = ProcFixtures.Read("meminfo");
        byte[] pressure = "some avg10=0.82 avg60=0.19 avg300=0.04 total=252882\nfull avg10=0.55 avg60=0.12 avg300=0.02 total=214291\n"u8.ToArray();
        byte[] adj = ProcFixtures.Read(ProcFixtures.Hog, "oom_score_adj");
        byte[] cgroup = ProcFixtures.Read(ProcFixtures.Hog, "cgroup");
        int[] pids = new int[8];
        void ParseAll()
        {
            Assert.True(ProcStatParser.TryParse(stat, out _));
            Assert.True(ProcStatusParser.TryParse(status, out _));
            Assert.True(MemInfoParser.TryParse(meminfo, out _));
            Assert.True(PressureParser.TryParse(pressure, out _));
            Assert.True(OomScoreAdjParser.TryParse(adj, out _));
            Assert.True(ProcCgroupParser.TryFindV1(cgroup, "memory"u8, out _));
            int count = 0;
            Assert.True(CgroupProcsParser.TryAppend("1\n2\n"u8, pids, ref count));
        }
        ParseAll();
        Assert.Equal(0, ThreadAllocation.Measure(100, ParseAll));
    }
}
