namespace Reapd.Guest.Tests;

/// <summary>
/// pidfds and process_mrelease on Debian's 6.1 and 6.12 kernels, through `reapd kill`, against what the same command
/// does on this machine's 6.18 (Reapd.Tests.KillCommandTests).
/// </summary>
public sealed class KillProtocolTests
{
    [Theory]
    [InlineData("6.1")]
    [InlineData("6.12")]
    public void Reapd_kill_finds_the_mm_sharer_kills_both_through_pidfds_and_reaps_and_refuses_a_thread_id_as_on_6_18(string kernel)
    {
        GuestRun run = SharedGuests.Scenario(kernel, "pidfd");
        run.Check(() =>
        {
            string kill = run.File("kill.txt");
            long sharer = run.ResultNumber("sharer_pid");
            Assert.True(run.ResultNumber("kill_exit") == 0, kill);
            Assert.Contains("identity:        confirmed: pidfd open", kill, StringComparison.Ordinal);
            Assert.Contains($"sharer:          {sharer} shares its mm (kcmp KCMP_VM): SIGKILL sent through the pidfd", kill, StringComparison.Ordinal);
            Assert.Contains("SIGKILL:         sent through the pidfd", kill, StringComparison.Ordinal);
            Assert.Contains("reap:            process_mrelease returned", kill, StringComparison.Ordinal);
            Assert.DoesNotContain("EINVAL", kill, StringComparison.Ordinal);
            Assert.Equal("no", run.Result("parent_alive"));
            Assert.Equal("no", run.Result("sharer_alive"));

            // pidfd_open on a thread id: ENOENT on 6.18, EINVAL on older kernels; both mean "not a process" (exit 4).
            Assert.Equal(4, run.ResultNumber("kill_thread_exit"));
            Assert.Contains($"reapd kill: PID {run.Result("thread_id")}: the number is a thread id, not a process; nothing signalled", run.File("kill-thread.txt"), StringComparison.Ordinal);
            Assert.Equal("yes", run.Result("reapd_alive"));
        });
    }
}
