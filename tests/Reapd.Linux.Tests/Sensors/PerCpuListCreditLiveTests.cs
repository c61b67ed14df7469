using System.Globalization;
using Reapd.Core.Daemon;
using Reapd.Linux.Proc;
using Reapd.Linux.Sensors;
using Reapd.Testing;

namespace Reapd.Linux.Tests.Sensors;

/// <summary>
/// The per-CPU list credit on the live kernel: a process in a child cgroup is SIGKILLed the way the daemon kills (the
/// system sensor told right after the signal), and the system reading taken once it has exited gets its memory back,
/// where MemAvailable alone can still miss much of it (docs/kernel.md, "Pages on the per-CPU lists are free to
/// neither").
/// </summary>
public sealed class PerCpuListCreditLiveTests
{
    private const long MiB = 1L << 20;
    private const long HogMib = 320;

    [Fact]
    public void A_killed_processs_memory_on_the_per_cpu_lists_is_counted_back_and_no_more()
    {
        using TestCgroup cgroup = TestCgroup.Create(512 * MiB, "lists");
        var credited = new List<long>();
        var raw = new List<long>();
        var credits = new List<long>();
        for (int round = 0; round < 5; round++)
        {
            using HelperProcess hog = Hogs.Start(cgroup, HogMib);
            // A sensor of its own each round: the last round's credit may still run (the lists not yet back).
            Assert.Equal(ProcReadOutcome.Ok, SystemMemorySensor.TryOpen(out SystemMemorySensor? opened));
            using SystemMemorySensor sensor = opened!;
            Assert.NotNull(sensor.LowerBound);
            long held = cgroup.UsageBytes;
            Assert.True(sensor.TryRead(Environment.TickCount64, out MemorySample before));
            Assert.Equal(0, before.ListCreditBytes);
            using (var process = System.Diagnostics.Process.GetProcessById(hog.Pid))
            {
                process.Kill();
            }
            sensor.VictimSignalled(held);
            Assert.True(hog.WaitForExit(10_000), "the hog did not exit after SIGKILL");
            Assert.True(sensor.TryRead(Environment.TickCount64, out MemorySample after));
            Assert.InRange(after.ListCreditBytes, 0, held);
            credited.Add(after.AvailableBytes - before.AvailableBytes);
            raw.Add(after.AvailableBytes - after.ListCreditBytes - before.AvailableBytes);
            credits.Add(after.ListCreditBytes);
            sensor.VictimReleased(Environment.TickCount64);
            // Another process's allocation takes listed pages, or they drain to the buddy lists: the credit ends once
            // the lists are back at their size at the signal (or after LastsAfterReleaseMs), and never goes negative.
            Assert.True(sensor.TryRead(Environment.TickCount64, out MemorySample later));
            Assert.InRange(later.ListCreditBytes, 0, held);
        }
        string measured = string.Create(CultureInfo.InvariantCulture,
            $"{HogMib} MiB process killed 5 times: available +{string.Join("/", credited.Select(b => b / MiB))} MiB with the credit "
            + $"(credit {string.Join("/", credits.Select(b => b / MiB))} MiB), MemAvailable alone +{string.Join("/", raw.Select(b => b / MiB))} MiB");
        TestContext.Current.TestOutputHelper?.WriteLine(measured);
        // Other processes allocate and free meanwhile (a test run beside this one): the median of five rounds, and a
        // margin. Measured here, MemAvailable alone got back 236-250 MiB of the 320 (the credit 68-83 MiB more, 319 in
        // all, in 10 of 12 rounds); in an earlier measurement of a 300 MiB process, +0 MiB in one of three.
        credited.Sort();
        Assert.True(credited[2] >= HogMib * MiB * 85 / 100, $"with the credit, available rose by less than 85 % of the process (median): {measured}");
    }
}
