using System.Text.Json;
using Reapd.Testing;

namespace Reapd.Tests;

/// <summary>
/// The settle gate is about the victim, not the system (docs/daemon.md): while other processes keep allocating, a
/// victim the kernel reaped (or that exited) opens the gate at once, and the next victim follows without a timeout.
/// Real NativeAOT binary, real child v1 memory cgroup (512 MiB), hogs at oom_score_adj 1000.
/// </summary>
public sealed class RunContinuingPressureTests
{
    private const long MiB = 1L << 20;

    [Fact]
    public void With_three_allocators_still_allocating_each_victim_settles_on_the_kernels_word_and_the_next_follows_without_a_timeout()
    {
        using TestCgroup cgroup = TestCgroup.Create(512 * MiB, "continuing");
        long kernelKillsBefore = cgroup.KernelOomKills;
        // A settle timeout far beyond the test's patience: a gate that waited for the system reading would show.
        using RunDaemon daemon = RunDaemon.Start("--cgroup", cgroup.Path, "--grace", "0s", "--settle-timeout", "60s");

        // Three allocators ramping together to 300 MiB each (900 MiB into 512): one kill cannot be enough, two are.
        using HelperProcess a = RunHogs.Start(cgroup, 300, rateMiBPerSecond: 96);
        using HelperProcess b = RunHogs.Start(cgroup, 300, rateMiBPerSecond: 96);
        using HelperProcess c = RunHogs.Start(cgroup, 300, rateMiBPerSecond: 96);
        HelperProcess[] hogs = [a, b, c];
        JsonElement first = daemon.WaitFor("settle", _ => true);
        JsonElement second = daemon.WaitFor("settle", e => e.GetRawText() != first.GetRawText());
        HelperProcess survivor = Assert.Single(hogs, h => !h.WaitForExit(5_000));
        survivor.WaitForLine(" ready ");

        foreach (JsonElement settle in new[] { first, second })
        {
            Assert.Contains(settle.GetProperty("reason").GetString(), new[] { "reaped", "exited" });
        }
        // Each kill came only after the one before it settled: choice, signal, reap, settle, in that order.
        string[] sequence = [.. daemon.Events.Select(e => e.GetProperty("event").GetString()!).Where(n => n is "choice" or "settle")];
        Assert.Equal(new[] { "choice", "settle", "choice", "settle" }, sequence);
        Assert.Equal(2, daemon.Named("signal").Count(e => e.GetProperty("result").GetString() == "Sent"));
        Assert.Equal(kernelKillsBefore, cgroup.KernelOomKills);
        daemon.StopCleanly();
        Assert.Empty(daemon.UnparsedLines);
    }
}
