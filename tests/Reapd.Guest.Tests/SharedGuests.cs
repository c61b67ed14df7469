using System.Collections.Concurrent;
using Reapd.Testing;

namespace Reapd.Guest.Tests;

/// <summary>
/// The guests the tests share: each group of scenarios runs in one boot per kernel, the first time a test of the group
/// asks for it, and every test then asserts on its own scenario's results. Booting once per group instead of once per
/// test keeps the whole guest suite within its CI budget under TCG (docs/platforms.md). A skip (no guest can start)
/// or a failure to boot reaches every test of the group.
/// </summary>
internal static class SharedGuests
{
    /// <summary>cgroup v2 scenarios, self-protection, the kill protocol and the Linux layer's own tests.</summary>
    public static readonly string[] Cgroup =
        ["cgroup-max", "cgroup-high", "cgroup-small-big", "cgroup-fuse", "cgroup-oom-group", "self-protection", "pidfd", "linux-tests"];

    /// <summary>System scope with zram swap, on a 1 GiB guest; last, the whole guest filled with the swap off (6.12 only).</summary>
    public static readonly string[] Zram = ["zram-idle", "zram-low-swap", "zram-thrash", "zram-limit", "system-full"];

    public const string LinuxTestsClass = "Reapd.Linux.Tests.CgroupV2MemoryControllerTests";

    private static readonly ConcurrentDictionary<(string Kernel, string Group), Lazy<IReadOnlyDictionary<string, GuestRun>>> s_runs = new();

    /// <summary>The test host of tests/Reapd.Linux.Tests, built beside this project (same configuration).</summary>
    public static string LinuxTestsBinary =>
        AppContext.BaseDirectory.Replace("Reapd.Guest.Tests", "Reapd.Linux.Tests", StringComparison.Ordinal) + "Reapd.Linux.Tests";

    /// <summary>The results of <paramref name="scenario"/> (in <see cref="Cgroup"/> or <see cref="Zram"/>) on the kernel.</summary>
    public static GuestRun Scenario(string kernel, string scenario)
    {
        string group = Array.IndexOf(Cgroup, scenario) >= 0 ? nameof(Cgroup) : Array.IndexOf(Zram, scenario) >= 0 ? nameof(Zram) : throw new ArgumentException("no such scenario " + scenario);
        Lazy<IReadOnlyDictionary<string, GuestRun>> runs = s_runs.GetOrAdd((kernel, group), key => new(() => Boot(key.Kernel, key.Group)));
        return runs.Value[scenario];
    }

    private static IReadOnlyDictionary<string, GuestRun> Boot(string kernel, string group) => group == nameof(Cgroup)
        ? QemuGuest.Run(kernel, Cgroup, new GuestOptions { Modules = ["fuse"], Timeout = TimeSpan.FromSeconds(720) }, GuestTools.Env(
            ("FUSE_STUCK", NativeProgram.Build("fuse_stuck", "-pthread")),
            ("CLONE_VM", NativeProgram.Build("clone_vm")),
            ("LINUX_TESTS", LinuxTestsBinary),
            ("LINUX_TESTS_CLASS", LinuxTestsClass)))
        : QemuGuest.Run(kernel, Zram, new GuestOptions { MemoryMiB = 1024, Modules = ["zram"], Timeout = TimeSpan.FromSeconds(600) }, GuestTools.Env());
}
