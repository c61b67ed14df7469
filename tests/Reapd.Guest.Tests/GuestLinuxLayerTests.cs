using Reapd.Testing;

namespace Reapd.Guest.Tests;

/// <summary>
/// The Linux layer's tests that this machine cannot run (cgroup v2 memory controller, CAP_SYS_RESOURCE), run inside
/// the guests with this machine's .NET from the shared root: memory.events wake-ups, memory.oom.group and cgroup.kill,
/// 500 ms PSI windows.
/// </summary>
public sealed class GuestLinuxLayerTests
{
    private const string TestClass = "Reapd.Linux.Tests.CgroupV2MemoryControllerTests";

    [Theory]
    [InlineData("6.1")]
    [InlineData("6.12")]
    public void The_Linux_layer_tests_that_need_the_v2_memory_controller_and_every_capability_pass_in_the_guest(string kernel)
    {
        // The test host of tests/Reapd.Linux.Tests, built beside this project (same configuration).
        string binary = AppContext.BaseDirectory.Replace("Reapd.Guest.Tests", "Reapd.Linux.Tests", StringComparison.Ordinal) + "Reapd.Linux.Tests";
        Assert.SkipUnless(File.Exists(binary), $"build tests/Reapd.Linux.Tests first (no {binary})");
        GuestRun run = QemuGuest.Run(kernel, "linux-tests", new GuestOptions { Timeout = TimeSpan.FromSeconds(420) },
            GuestTools.Env(("LINUX_TESTS", binary), ("LINUX_TESTS_CLASS", TestClass), ("HOG_BUILT", NativeProgram.Build("hog"))));
        run.Check(() =>
        {
            string output = run.File("tests.out");
            Assert.True(run.ResultNumber("tests_exit") == 0, "the Linux layer tests failed in the guest:\n" + output);
            // xunit.v3's own console summary (the test host run directly): every test ran and passed, none skipped.
            Assert.Matches(@"Total: 4, Errors: 0, Failed: 0, Skipped: 0, Not Run: 0\b", output);
        });
    }
}
