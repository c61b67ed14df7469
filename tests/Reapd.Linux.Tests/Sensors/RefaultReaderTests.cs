using Reapd.Core.Proc;
using Reapd.Linux.Sensors;
using Reapd.Testing;

namespace Reapd.Linux.Tests.Sensors;

/// <summary>
/// The thrash condition's counters as the daemon reads them: a kept-open /proc/vmstat (or a cgroup2 memory.stat)
/// re-read into its buffer, the refaults by kind and the swap traffic.
/// </summary>
public sealed class RefaultReaderTests
{
    private static string Fixture(params string[] path) => Path.Combine([NativeProgram.RepositoryRoot, "tests", "fixtures", .. path]);

    [Fact]
    public void A_captured_proc_vmstat_reads_as_its_refaults_by_kind_and_its_swap_traffic()
    {
        using RefaultReader? reader = RefaultReader.TryOpen(Fixture("proc", "vmstat"));
        Assert.NotNull(reader);
        Assert.Equal(new RefaultCounters(766_577, 905_506, 766_577, 2_809_713), reader.Read());
    }

    [Fact]
    public void A_captured_cgroup2_memory_stat_has_refaults_and_no_swap_traffic()
    {
        using RefaultReader? reader = RefaultReader.TryOpen(Fixture("cgroup2", "memory.stat"));
        Assert.NotNull(reader);
        Assert.Equal(new RefaultCounters(0, 12, -1, -1), reader.Read());
    }

    [Fact]
    public void A_missing_file_or_one_without_refault_counters_gives_no_reader()
    {
        Assert.Null(RefaultReader.TryOpen(Fixture("proc", "no-such-file")));
        Assert.Null(RefaultReader.TryOpen(Fixture("proc", "meminfo")));
    }

    [Fact]
    public void This_machine_counts_anonymous_refaults_and_swap_traffic_and_rereading_allocates_nothing()
    {
        using RefaultReader? reader = RefaultReader.TryOpen("/proc/vmstat");
        Assert.NotNull(reader);
        RefaultCounters first = reader.Read();
        Assert.SkipWhen(first.AnonRefaults < 0, "this kernel has no workingset_refault_anon (before 5.9)");
        Assert.True(first.FileRefaults >= 0 && first.SwapIns >= 0 && first.SwapOuts >= 0, $"{first}");
        RefaultCounters last = first;
        // 50 reads, each measured on its own (ThreadAllocation).
        Assert.Equal(0, ThreadAllocation.Measure(50, () => last = reader.Read()));
        // Cumulative counters: never smaller on a later read.
        Assert.True(last.AnonRefaults >= first.AnonRefaults && last.FileRefaults >= first.FileRefaults
            && last.SwapIns >= first.SwapIns && last.SwapOuts >= first.SwapOuts, $"{first} then {last}");
    }
}
