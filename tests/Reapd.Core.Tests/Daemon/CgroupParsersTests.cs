using Reapd.Core.Cgroups;
using Reapd.Testing;

namespace Reapd.Core.Tests.Daemon;

public sealed class CgroupParsersTests
{
    private static byte[] Fixture(string version, string name) =>
        File.ReadAllBytes(Path.Combine(NativeProgram.RepositoryRoot, "tests", "fixtures", version, name));

    [Fact]
    public void A_v2_memory_current_and_max_read_in_bytes()
    {
        Assert.True(CgroupValueParser.TryParseBytes(Fixture("cgroup2", "memory.current"), out long current));
        Assert.Equal(402653184, current);
        Assert.True(CgroupValueParser.TryParseBytes(Fixture("cgroup2", "memory.max"), out long max));
        Assert.Equal(512L << 20, max);
        Assert.False(CgroupValueParser.IsUnlimited(max));
    }

    [Fact]
    public void A_v2_max_of_max_is_unlimited()
    {
        Assert.True(CgroupValueParser.TryParseBytes(Fixture("cgroup2", "memory.high"), out long high));
        Assert.True(CgroupValueParser.IsUnlimited(high));
        Assert.True(CgroupValueParser.TryParseBytes(Fixture("cgroup2/unlimited", "memory.max"), out long max));
        Assert.True(CgroupValueParser.IsUnlimited(max));
    }

    [Fact]
    public void A_v1_limit_of_page_counter_max_is_unlimited()
    {
        Assert.True(CgroupValueParser.TryParseBytes("9223372036854771712\n"u8, out long limit));
        Assert.True(CgroupValueParser.IsUnlimited(limit));
        Assert.True(CgroupValueParser.TryParseBytes(Fixture("cgroup1", "memory.limit_in_bytes"), out long captured));
        Assert.Equal(64L << 20, captured);
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n")]
    [InlineData("12x\n")]
    [InlineData("-5\n")]
    [InlineData("maximum\n")]
    public void Malformed_single_values_are_refused(string text)
    {
        Assert.False(CgroupValueParser.TryParseBytes(System.Text.Encoding.ASCII.GetBytes(text), out _));
    }

    [Fact]
    public void The_v2_memory_stat_gives_the_inactive_file_cache()
    {
        byte[] stat = Fixture("cgroup2", "memory.stat");
        Assert.True(FlatKeyedParser.TryGet(stat, "inactive_file"u8, out long inactive));
        Assert.Equal(52428800, inactive);
        Assert.True(FlatKeyedParser.TryGet(stat, "anon"u8, out long anon));
        Assert.Equal(335544320, anon);
        Assert.True(FlatKeyedParser.TryGet(stat, "hugetlb"u8, out long last));
        Assert.Equal(0, last);
    }

    [Fact]
    public void A_key_matches_only_a_whole_first_token()
    {
        byte[] stat = Fixture("cgroup1", "memory.stat");
        Assert.True(FlatKeyedParser.TryGet(stat, "inactive_file"u8, out long local));
        Assert.True(FlatKeyedParser.TryGet(stat, "total_inactive_file"u8, out long total));
        Assert.Equal(20000768, local);
        Assert.Equal(20000768, total);
        Assert.False(FlatKeyedParser.TryGet(stat, "inactive"u8, out _));
        Assert.False(FlatKeyedParser.TryGet(stat, "file"u8, out _));
        Assert.False(FlatKeyedParser.TryGet("swap\n"u8, "swap"u8, out _));
    }

    [Fact]
    public void The_v1_stat_names_the_hierarchical_limit()
    {
        Assert.True(FlatKeyedParser.TryGet(Fixture("cgroup1", "memory.stat"), "hierarchical_memory_limit"u8, out long limit));
        Assert.Equal(64L << 20, limit);
    }

    [Fact]
    public void The_oom_kill_counters_read_from_v2_events_and_v1_oom_control()
    {
        Assert.True(FlatKeyedParser.TryGet(Fixture("cgroup2", "memory.events"), "oom_kill"u8, out long v2));
        Assert.Equal(1, v2);
        Assert.True(FlatKeyedParser.TryGet(Fixture("cgroup2", "memory.events"), "max"u8, out long max));
        Assert.Equal(1432, max);
        Assert.True(FlatKeyedParser.TryGet(Fixture("cgroup1", "memory.oom_control"), "oom_kill"u8, out long v1));
        Assert.Equal(0, v1);
        Assert.True(FlatKeyedParser.TryGet(Fixture("cgroup1", "memory.oom_control"), "under_oom"u8, out long underOom));
        Assert.Equal(0, underOom);
    }

    [Theory]
    [InlineData(512, 400, 50, 162)]
    [InlineData(512, 400, 0, 112)]
    [InlineData(512, 600, 0, 0)]
    [InlineData(512, 10, 20, 512)]
    public void Available_is_the_limit_minus_usage_that_reclaim_cannot_drop(long limitMiB, long usageMiB, long inactiveFileMiB, long expectedMiB)
    {
        Assert.Equal(expectedMiB << 20, CgroupMemoryMath.AvailableBytes(limitMiB << 20, usageMiB << 20, inactiveFileMiB << 20));
    }

    [Fact]
    public void Parsing_the_stat_allocates_nothing()
    {
        byte[] stat = Fixture("cgroup2", "memory.stat");
        FlatKeyedParser.TryGet(stat, "inactive_file"u8, out _);
        Assert.Equal(0, ThreadAllocation.Measure(10, () =>
        {
            for (int i = 0; i < 100; i++)
            {
                FlatKeyedParser.TryGet(stat, "inactive_file"u8, out _);
                CgroupValueParser.TryParseBytes("536870912\n"u8, out _);
            }
        }));
    }

    [Fact]
    public void Memory_events_give_every_counter_of_the_captured_file()
    {
        Assert.True(MemoryEvents.TryParse(Fixture("cgroup2", "memory.events"), out MemoryEvents events));
        Assert.Equal(new MemoryEvents(Low: 0, High: 0, Max: 1432, Oom: 2, OomKill: 1, OomGroupKill: 0), events);
    }

    [Fact]
    public void Memory_events_without_the_newer_counters_read_them_as_zero_and_without_oom_kill_fail()
    {
        Assert.True(MemoryEvents.TryParse("low 0\nhigh 7\nmax 3\noom 1\noom_kill 1\n"u8, out MemoryEvents events));
        Assert.Equal(0, events.OomGroupKill);
        Assert.Equal(7, events.High);
        Assert.False(MemoryEvents.TryParse("low 0\nhigh 7\nmax 3\noom 1\n"u8, out _));
    }
}
