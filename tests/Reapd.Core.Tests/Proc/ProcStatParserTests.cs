using System.Text;
using Reapd.Core.Proc;
using Reapd.Testing;

namespace Reapd.Core.Tests.Proc;

public sealed class ProcStatParserTests
{
    [Theory]
    [InlineData(ProcFixtures.NameWithParenAndSpace, "a) b")]
    [InlineData(ProcFixtures.NameWithParens, "a)))b")]
    [InlineData(ProcFixtures.NameWithNewline, "x\ny")]
    [InlineData(ProcFixtures.Hog, "hog")]
    public void A_hostile_comm_is_the_text_between_the_first_open_and_the_last_close_parenthesis(int pid, string name)
    {
        Assert.True(ProcStatParser.TryParse(ProcFixtures.Read(pid, "stat"), out ProcStat stat));
        Assert.Equal(pid, stat.Pid);
        Assert.Equal(name, stat.Name.ToString());
        Assert.Equal((byte)'S', stat.State);
        Assert.Equal(1, stat.NumThreads);
        Assert.False(stat.IsKernelThread);
    }

    [Fact]
    public void The_fields_after_a_hostile_name_are_counted_from_the_last_parenthesis()
    {
        Assert.True(ProcStatParser.TryParse(ProcFixtures.Read(ProcFixtures.NameWithParenAndSpace, "stat"), out ProcStat stat));
        Assert.Equal(7676, stat.ParentPid);
        Assert.Equal(7631, stat.ProcessGroupId);
        Assert.Equal(4194304u, stat.Flags);
        Assert.Equal(53360ul, stat.StartTimeTicks);
        Assert.Equal(8069120ul, stat.VsizeBytes);
        Assert.Equal(1212, stat.RssPages);
        // Fields 28, 47, 48, 50: the mm's layout, which an exec replaces.
        Assert.Equal(new MmLayout(140727570565840, 94890275717120, 140727570569366, 140727570569467), stat.Layout);
        Assert.True(stat.Layout.IsKnown);
    }

    [Fact]
    public void A_stat_line_that_ends_after_field_24_parses_with_an_unknown_layout()
    {
        Assert.True(ProcStatParser.TryParse("42 (old) S 1 42 42 0 -1 4194304 0 0 0 0 0 0 0 0 20 0 1 0 100 8069120 12"u8, out ProcStat stat));
        Assert.Equal(12, stat.RssPages);
        Assert.False(stat.Layout.IsKnown);
    }

    [Fact]
    public void A_name_that_looks_like_more_fields_does_not_shift_them()
    {
        byte[] text = "12631 (a) b (c) R 12630 1 1 0 -1 4194560 0 0 0 0 0 0 0 0 20 0 1 0 777 4096 2 18446744073709551615\n"u8.ToArray();
        Assert.True(ProcStatParser.TryParse(text, out ProcStat stat));
        Assert.Equal("a) b (c", stat.Name.ToString());
        Assert.Equal((byte)'R', stat.State);
        Assert.Equal(777ul, stat.StartTimeTicks);
        Assert.Equal(2, stat.RssPages);
    }

    [Fact]
    public void Kthreadd_is_recognised_as_a_kernel_thread_by_its_PF_KTHREAD_flag()
    {
        Assert.True(ProcStatParser.TryParse(ProcFixtures.Read(ProcFixtures.KernelThread, "stat"), out ProcStat stat));
        Assert.Equal("kthreadd", stat.Name.ToString());
        Assert.True(stat.IsKernelThread);
        Assert.Equal(0ul, stat.VsizeBytes);
    }

    [Fact]
    public void A_zombie_has_state_Z()
    {
        Assert.True(ProcStatParser.TryParse(ProcFixtures.Read(ProcFixtures.Zombie, "stat"), out ProcStat stat));
        Assert.True(stat.IsZombie);
        Assert.False(stat.IsKernelThread);
    }

    [Theory]
    [InlineData("")]
    [InlineData("123 (cut off")]
    [InlineData("123 (name) S 1 2 3")]
    [InlineData("x (name) S 1 2 3 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 5 6 7")]
    [InlineData("1 (name) S 1 2 3 0 -1 notanumber 0 0 0 0 0 0 0 0 20 0 1 0 5 6 7")]
    public void A_truncated_or_malformed_stat_is_rejected(string text)
    {
        Assert.False(ProcStatParser.TryParse(Encoding.UTF8.GetBytes(text), out _));
    }

    [Fact]
    public void A_long_kernel_thread_name_is_kept_up_to_the_buffer_size()
    {
        string name = new('w', 80);
        byte[] text = Encoding.ASCII.GetBytes($"9 ({name}) I 2 0 0 0 -1 2129984 0 0 0 0 0 0 0 0 20 0 1 0 19 0 0 18446744073709551615\n");
        Assert.True(ProcStatParser.TryParse(text, out ProcStat stat));
        Assert.Equal(ProcessName.CapacityBytes, stat.Name.Length);
        Assert.True(stat.IsKernelThread);
    }

    [Fact]
    public void The_display_form_of_a_name_escapes_the_newline()
    {
        Assert.True(ProcStatParser.TryParse(ProcFixtures.Read(ProcFixtures.NameWithNewline, "stat"), out ProcStat stat));
        Assert.Equal("x\\ny", stat.Name.ToDisplayString());
    }
}
