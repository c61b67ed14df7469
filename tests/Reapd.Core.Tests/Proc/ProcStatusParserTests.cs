using Reapd.Core.Proc;
using Reapd.Testing;

namespace Reapd.Core.Tests.Proc;

public sealed class ProcStatusParserTests
{
    [Fact]
    public void The_memory_lines_of_a_live_process_are_read_in_KiB()
    {
        Assert.True(ProcStatusParser.TryParse(ProcFixtures.Read(ProcFixtures.Hog, "status"), out ProcStatus status));
        Assert.True(status.HasMm);
        Assert.Equal(ProcFixtures.Hog, status.Tgid);
        Assert.Equal(65640, status.RssAnonKiB);
        Assert.Equal(1520, status.RssFileKiB);
        Assert.Equal(0, status.RssShmemKiB);
        Assert.Equal(172, status.VmPteKiB);
        Assert.Equal(0, status.VmSwapKiB);
        Assert.Equal(67160, status.VmRssKiB);
        Assert.Equal(68012, status.VmSizeKiB);
        Assert.Equal(1, status.Threads);
        Assert.Equal((byte)'S', status.State);
        Assert.Equal(0x1fffeffffffUL, status.CapEff);
    }

    [Theory]
    [InlineData(ProcFixtures.Zombie, (byte)'Z')]
    [InlineData(ProcFixtures.KernelThread, (byte)'S')]
    public void A_zombie_or_a_kernel_thread_has_no_memory_lines(int pid, byte state)
    {
        Assert.True(ProcStatusParser.TryParse(ProcFixtures.Read(pid, "status"), out ProcStatus status));
        Assert.False(status.HasMm);
        Assert.Equal(state, status.State);
        Assert.Equal(0, status.RssAnonKiB);
        Assert.Equal(pid, status.Tgid);
    }

    [Fact]
    public void An_escaped_hostile_name_line_does_not_disturb_the_other_lines()
    {
        Assert.True(ProcStatusParser.TryParse(ProcFixtures.Read(ProcFixtures.NameWithNewline, "status"), out ProcStatus status));
        Assert.Equal(ProcFixtures.NameWithNewline, status.Tgid);
        Assert.True(status.HasMm);
    }

    [Fact]
    public void A_process_in_the_middle_of_a_core_dump_says_CoreDumping_and_an_ordinary_one_does_not()
    {
        // Captured by tests/fixtures/coredump/capture.sh from a dump waiting on a FUSE create.
        byte[] dumping = File.ReadAllBytes(Path.Combine(NativeProgram.RepositoryRoot, "tests", "fixtures", "coredump", "status"));
        Assert.True(ProcStatusParser.TryParse(dumping, out ProcStatus status));
        Assert.True(status.CoreDumping);
        Assert.True(status.HasMm);
        Assert.True(ProcStatusParser.TryParse(ProcFixtures.Read(ProcFixtures.Hog, "status"), out ProcStatus ordinary));
        Assert.False(ordinary.CoreDumping);
    }

    [Fact]
    public void A_status_without_Tgid_is_rejected()
    {
        Assert.False(ProcStatusParser.TryParse("Name:\tx\nVmRSS:\t 12 kB\n"u8, out _));
        Assert.False(ProcStatusParser.TryParse("Tgid:\t1\nVmRSS:\t twelve kB\n"u8, out _));
    }
}
