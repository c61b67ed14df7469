using System.Text;
using Reapd.Core.Daemon;
using Reapd.Core.Decision;
using Reapd.Testing;

namespace Reapd.Core.Tests.Daemon;

public sealed class ServiceStatusTests
{
    private const long MiB = Samples.MiB;
    private static readonly DaemonConfig Config = new();

    private static ServiceStatus Status(long availableMiB, PressureLevel level = PressureLevel.None, VictimPhase phase = VictimPhase.None, int pid = 0) =>
        new(availableMiB * MiB, 1000 * MiB, level, phase, pid);

    private static string Text(in ServiceStatus status, double term = 10, double kill = 5)
    {
        byte[] buffer = new byte[ServiceStatus.MaxBytes];
        return Encoding.ASCII.GetString(buffer, 0, status.Format(buffer, term, kill));
    }

    [Theory]
    [InlineData(812, PressureLevel.None, VictimPhase.None, 0, "STATUS=available 812 MiB of 1000 MiB (81%), ok (term 10%, kill 5%), no victim")]
    [InlineData(95, PressureLevel.Term, VictimPhase.Terminating, 4242, "STATUS=available 95 MiB of 1000 MiB (9%), term level (term 10%, kill 5%), victim 4242 SIGTERMed, in its grace")]
    [InlineData(40, PressureLevel.Kill, VictimPhase.Killed, 4242, "STATUS=available 40 MiB of 1000 MiB (4%), kill level (term 10%, kill 5%), victim 4242 SIGKILLed, its memory coming back")]
    public void The_status_line_says_available_memory_the_level_and_the_victim(long availableMiB, PressureLevel level, VictimPhase phase, int pid, string expected)
    {
        Assert.Equal(expected, Text(Status(availableMiB, level, phase, pid)));
    }

    [Fact]
    public void Fractional_thresholds_are_shown_as_configured()
    {
        Assert.Contains("(term 12.5%, kill 2.25%)", Text(Status(500), 12.5, 2.25), StringComparison.Ordinal);
    }

    [Fact]
    public void The_longest_line_fits_the_buffer_with_room_to_spare()
    {
        var status = new ServiceStatus(long.MaxValue, long.MaxValue, PressureLevel.Kill, VictimPhase.Killed, int.MaxValue);
        string text = Text(status, 99.99, 99.99);
        Assert.EndsWith("its memory coming back", text, StringComparison.Ordinal);
        Assert.True(text.Length < ServiceStatus.MaxBytes, text);
    }

    [Fact]
    public void The_status_is_built_from_the_sample_by_the_cores_own_assessment()
    {
        ServiceStatus ok = ServiceStatus.From(Samples.At(0, 500), Config, VictimPhase.None, 4242);
        Assert.Equal(PressureLevel.None, ok.Level);
        Assert.Equal(0, ok.VictimPid); // no victim in flight: the pid of an old one is not shown
        Assert.Equal(PressureLevel.Term, ServiceStatus.From(Samples.At(0, 90), Config, VictimPhase.None, 0).Level);
        ServiceStatus kill = ServiceStatus.From(Samples.At(0, 40), Config, VictimPhase.Killed, 4242);
        Assert.Equal(PressureLevel.Kill, kill.Level);
        Assert.Equal(4242, kill.VictimPid);
    }

    public static TheoryData<string, long, long, long, bool> Changes => new()
    {
        // what changed, available before and after (MiB of 1000), ms since the last status, worth sending
        { "nothing", 800, 800, 120_000, false },
        { "a few MiB, soon", 800, 790, 100, false },
        { "a few MiB, within the minute", 800, 790, 59_999, false },
        { "a few MiB, after a minute", 800, 790, 60_000, true },
        { "less than a MiB, after a minute", 800, 800, 60_000, false },
        { "a 32nd of the total, too soon", 800, 768, 1_999, false },
        { "a 32nd of the total, after 2 s", 800, 768, 2_000, true },
        { "a big rise, after 2 s", 300, 800, 2_000, true },
    };

    [Theory]
    [MemberData(nameof(Changes))]
    public void Available_memory_alone_is_sent_only_when_it_moved_far_enough_for_long_enough(string what, long beforeMiB, long afterMiB, long msSinceSent, bool worth)
    {
        Assert.True(worth == ServiceStatus.IsWorthSending(Status(beforeMiB), Status(afterMiB), msSinceSent), what);
    }

    [Fact]
    public void A_new_level_or_victim_is_sent_at_once()
    {
        Assert.True(ServiceStatus.IsWorthSending(Status(101), Status(99, PressureLevel.Term), 0));
        Assert.True(ServiceStatus.IsWorthSending(Status(99, PressureLevel.Term), Status(99, PressureLevel.Term, VictimPhase.Terminating, 4242), 0));
        Assert.True(ServiceStatus.IsWorthSending(Status(99, PressureLevel.Term, VictimPhase.Terminating, 4242), Status(99, PressureLevel.Term, VictimPhase.Terminating, 4343), 0));
        Assert.True(ServiceStatus.IsWorthSending(Status(45, PressureLevel.Kill, VictimPhase.Killed, 4242), Status(600), 0));
    }

    [Fact]
    public void Formatting_a_status_allocates_nothing()
    {
        byte[] buffer = new byte[ServiceStatus.MaxBytes];
        ServiceStatus status = Status(95, PressureLevel.Term, VictimPhase.Terminating, 4242);
        Run(10);
        Assert.Equal(0, ThreadAllocation.Measure(10, () => Run(100)));

        void Run(int times)
        {
            for (int i = 0; i < times; i++)
            {
                _ = status.Format(buffer, 12.5, 5);
                _ = ServiceStatus.IsWorthSending(status, ServiceStatus.From(Samples.At(i, 90), Config, VictimPhase.Terminating, 4242), i);
            }
        }
    }
}
