using System.Text;
using Reapd.Core.Proc;
using Reapd.Testing;

namespace Reapd.Core.Tests.Proc;

/// <summary>The refault counts of /proc/vmstat and a cgroup2 memory.stat by kind, with the swap traffic.</summary>
public sealed class RefaultParserTests
{
    [Fact]
    public void The_thrash_counters_of_proc_vmstat_are_the_refaults_by_kind_and_the_swap_traffic()
    {
        Assert.True(RefaultParser.TryParse(ProcFixtures.Read("vmstat"), out RefaultCounters counters));
        Assert.Equal(new RefaultCounters(766_577, 905_506, 766_577, 2_809_713), counters);
    }

    [Fact]
    public void A_cgroup_memory_stat_before_6_13_has_no_swap_traffic()
    {
        // Its zswpin/zswpout alone would miss what went to the swap device: both stay unknown.
        byte[] stat = File.ReadAllBytes(Path.Combine(NativeProgram.RepositoryRoot, "tests", "fixtures", "cgroup2", "memory.stat"));
        Assert.True(RefaultParser.TryParse(stat, out RefaultCounters counters));
        Assert.Equal(new RefaultCounters(0, 12, -1, -1), counters);
    }

    [Theory]
    [InlineData("workingset_refault_anon 5\nworkingset_refault_file 6\npswpin 7\npswpout 8\nzswpin 100\nzswpout 200\n", 5, 6, 107, 208)] // zswap's loads and stores count as swap traffic
    [InlineData("workingset_refault_anon 5\nzswpin 100\nzswpout 200\n", 5, -1, -1, -1)]                                                  // no pswpin: unknown
    [InlineData("workingset_refault 42\npswpin 1\npswpout 2\n", -1, 42, 1, 2)]                                                            // before 5.9: file only
    [InlineData("pswpin 1\npswpout 2\nworkingset_refault_anon 3\n", 3, -1, 1, 2)]                                                        // any order
    public void The_thrash_counters_are_read_by_name(string text, long anon, long file, long swapIns, long swapOuts)
    {
        Assert.True(RefaultParser.TryParse(Encoding.ASCII.GetBytes(text), out RefaultCounters counters));
        Assert.Equal(new RefaultCounters(anon, file, swapIns, swapOuts), counters);
    }

    [Theory]
    [InlineData("nr_free_pages 10\nworkingset_refault_anon\nworkingset_refault_file 4", -1, 4, -1, -1)] // a line without a value is skipped
    [InlineData("nr_free_pages 10\nworkingset_refault 42\nworkingset_activate 7\n", -1, 42, -1, -1)] // before 5.9: one counter, of file pages
    public void Other_lines_and_lines_without_a_value_are_skipped(string text, long anon, long file, long swapIns, long swapOuts)
    {
        Assert.True(RefaultParser.TryParse(Encoding.ASCII.GetBytes(text), out RefaultCounters counters));
        Assert.Equal(new RefaultCounters(anon, file, swapIns, swapOuts), counters);
    }

    [Theory]
    [InlineData("nr_free_pages 10\nworkingset_refault_anonx 5\n")] // a longer name is another counter
    [InlineData("nr_free_pages 10\n")]
    [InlineData("workingset_refault_anon -3\n")]
    [InlineData("workingset_refault_anon 3\nworkingset_refault_file x\n")]
    [InlineData("pswpin 1\npswpout 2\n")]                          // no refault counter at all
    [InlineData("workingset_refault_anon 3\npswpin x\n")]          // a malformed swap counter
    [InlineData("workingset_refault_anon 3\nzswpout -1\n")]
    public void Thrash_counters_without_a_refault_counter_or_with_a_malformed_one_fail(string text)
    {
        Assert.False(RefaultParser.TryParse(Encoding.ASCII.GetBytes(text), out RefaultCounters counters));
        Assert.Equal(RefaultCounters.Unread, counters);
    }

    [Theory]
    [InlineData(5, 6, 7, 8, 5)]    // the anonymous refaults, wherever they are counted
    [InlineData(5, 6, -1, -1, 5)]
    [InlineData(-1, 42, 1, 2, 42)] // before 5.9, /proc/vmstat: the page-cache count, the swap counters can veto
    [InlineData(-1, 42, -1, -1, -1)] // before 5.9, a cgroup's memory.stat: nothing to veto a push-out with, unknown
    public void The_thrash_condition_counts_page_cache_refaults_only_where_the_swap_counters_can_veto(long anon, long file, long swapIns, long swapOuts, long expected)
    {
        Assert.Equal(expected, new RefaultCounters(anon, file, swapIns, swapOuts).ThrashRefaults);
    }

    [Fact]
    public void Parsing_allocates_nothing()
    {
        byte[] text = ProcFixtures.Read("vmstat");
        RefaultParser.TryParse(text, out RefaultCounters _);
        // 100 parses, each measured on its own (ThreadAllocation).
        Assert.Equal(0, ThreadAllocation.Measure(100, () => RefaultParser.TryParse(text, out RefaultCounters _)));
    }
}
