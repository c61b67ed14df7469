using System.Text;
using Reapd.Core.Proc;
using Reapd.Testing;

namespace Reapd.Core.Tests.Proc;

/// <summary>The refault count of /proc/vmstat and a cgroup2 memory.stat, anonymous and file together.</summary>
public sealed class RefaultParserTests
{
    [Fact]
    public void The_machine_refaults_are_the_anonymous_and_file_counters_of_proc_vmstat_together()
    {
        Assert.True(RefaultParser.TryParse(ProcFixtures.Read("vmstat"), out long refaults));
        Assert.Equal(766_577 + 905_506, refaults);
    }

    [Fact]
    public void A_cgroup_memory_stat_has_the_same_counters()
    {
        byte[] stat = File.ReadAllBytes(Path.Combine(NativeProgram.RepositoryRoot, "tests", "fixtures", "cgroup2", "memory.stat"));
        Assert.True(RefaultParser.TryParse(stat, out long refaults));
        Assert.Equal(12, refaults);
    }

    [Theory]
    [InlineData("nr_free_pages 10\nworkingset_refault 42\nworkingset_activate 7\n", true, 42)] // before 5.9: one counter
    [InlineData("nr_free_pages 10\nworkingset_refault_anonx 5\n", false, 0)]                  // a longer name is another counter
    [InlineData("nr_free_pages 10\n", false, 0)]
    [InlineData("workingset_refault_anon -3\n", false, 0)]
    [InlineData("workingset_refault_anon 3\nworkingset_refault_file x\n", false, 3)]
    [InlineData("workingset_refault_anon\nworkingset_refault_file 4", true, 4)]                // a line without a value is skipped
    public void Only_the_refault_counters_count_and_a_malformed_one_fails(string text, bool parses, long expected)
    {
        bool ok = RefaultParser.TryParse(Encoding.ASCII.GetBytes(text), out long refaults);
        Assert.Equal(parses, ok);
        if (parses)
        {
            Assert.Equal(expected, refaults);
        }
    }

    [Fact]
    public void Parsing_allocates_nothing()
    {
        byte[] text = ProcFixtures.Read("vmstat");
        RefaultParser.TryParse(text, out _);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            RefaultParser.TryParse(text, out _);
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
