namespace Reapd.Guest.Tests;

/// <summary>
/// The Linux layer's tests that this machine cannot run (cgroup v2 memory controller, CAP_SYS_RESOURCE), run inside
/// the guests with this machine's .NET from the shared root: memory.events wake-ups, memory.oom.group and cgroup.kill,
/// 500 ms PSI windows.
/// </summary>
public sealed class GuestLinuxLayerTests
{
    [Theory]
    [InlineData("6.1")]
    [InlineData("6.12")]
    public void The_Linux_layer_tests_that_need_the_v2_memory_controller_and_every_capability_pass_in_the_guest(string kernel)
    {
        string binary = SharedGuests.LinuxTestsBinary;
        Assert.SkipUnless(File.Exists(binary), $"build tests/Reapd.Linux.Tests first (no {binary})");
        GuestRun run = SharedGuests.Scenario(kernel, "linux-tests");
        run.Check(() =>
        {
            string output = run.File("tests.out");
            Assert.True(run.ResultNumber("tests_exit") == 0, "the Linux layer tests failed in the guest:\n" + output);
            // xunit.v3's own console summary (the test host run directly): every test ran and passed, none skipped.
            Assert.Matches(@"Total: 10, Errors: 0, Failed: 0, Skipped: 0, Not Run: 0\b", output);
        });
    }
}
