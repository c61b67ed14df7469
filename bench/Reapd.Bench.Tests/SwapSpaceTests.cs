using System.Globalization;
using Reapd.Bench.Swap;
using Reapd.Testing;

namespace Reapd.Bench.Tests;

public class SwapSpaceTests
{
    [Fact]
    public void A_zram_device_is_sized_formatted_and_swapped_on_at_the_highest_priority()
    {
        Assert.Equal(
            ["echo 1073741824 > /sys/block/zram3/disksize", "mkswap /dev/zram3", "swapon -p 32767 /dev/zram3"],
            SwapSpace.ZramSetup(3, 1L << 30).Select(s => s.ToString()));
    }

    [Fact]
    public void A_zram_device_is_swapped_off_reset_and_removed_in_that_order()
    {
        Assert.Equal(
            ["swapoff /dev/zram3", "echo 1 > /sys/block/zram3/reset", "echo 3 > /sys/class/zram-control/hot_remove"],
            SwapSpace.ZramTeardown(3).Select(s => s.ToString()));
    }

    [Fact]
    public void A_swap_file_is_allocated_without_holes_private_then_swapped_on()
    {
        Assert.Equal(
            ["fallocate -l 268435456 /var/tmp/s", "chmod 600 /var/tmp/s", "mkswap /var/tmp/s", "swapon -p 32767 /var/tmp/s"],
            SwapSpace.FileSetup("/var/tmp/s", 256L << 20).Select(s => s.ToString()));
    }

    /// <summary>The real thing: a hot-added zram device becomes swap the kernel lists, and is gone after Dispose.</summary>
    [Fact]
    public void A_hot_added_zram_swap_is_listed_by_the_kernel_and_gone_after_dispose()
    {
        Root.Require();
        Assert.SkipUnless(Directory.Exists(SwapSpace.ZramControl), $"no {SwapSpace.ZramControl}: this kernel has no zram");
        string path;
        using (var swap = SwapSpace.CreateZram(64L << 20))
        {
            path = swap.Path;
            Assert.Equal("zram", swap.Kind);
            Assert.Contains(SwapLines(), l => l.StartsWith(path + " ", StringComparison.Ordinal) && l.EndsWith(" 32767", StringComparison.Ordinal));
            Assert.Equal(64L << 20, long.Parse(File.ReadAllText($"/sys/block/zram{swap.ZramId}/disksize").Trim(), CultureInfo.InvariantCulture));
            Assert.True(File.Exists(SwapSpace.StateFile));
        }
        Assert.DoesNotContain(SwapLines(), l => l.StartsWith(path + " ", StringComparison.Ordinal));
        Assert.False(Directory.Exists("/sys/block/" + Path.GetFileName(path)));
        Assert.False(File.Exists(SwapSpace.StateFile));
    }

    /// <summary>A runner that died with its swap on (its state file names a pid that is gone) is cleaned up by the next.</summary>
    [Fact]
    public void Swap_left_by_a_crashed_runner_is_removed_by_the_next_one()
    {
        Root.Require();
        Assert.SkipUnless(File.Exists("/usr/bin/fallocate") && Directory.Exists("/var/tmp"), "needs fallocate and /var/tmp");
        // A real swap file, swapped on, as a crashed runner leaves it; its state file names a pid that has exited.
        using var held = SwapSpace.HoldLock();
        string file = Path.Combine("/var/tmp", $"reapd-bench-leftover-test-{Environment.ProcessId}");
        int deadPid = DeadPid();
        try
        {
            Run("fallocate", "-l", (32L << 20).ToString(CultureInfo.InvariantCulture), file);
            Run("chmod", "600", file);
            Run("mkswap", file);
            Run("swapon", file);
            File.WriteAllText(SwapSpace.StateFile, $"{deadPid} file {file}\n");

            string cleaned = SwapSpace.CleanLeftover(TextWriter.Null);

            Assert.Contains(file, cleaned, StringComparison.Ordinal);
            Assert.DoesNotContain(SwapLines(), l => l.StartsWith(file + " ", StringComparison.Ordinal));
            Assert.False(File.Exists(file));
            Assert.False(File.Exists(SwapSpace.StateFile));
        }
        finally
        {
            System.Diagnostics.Process.Start("swapoff", file)?.WaitForExit();
            File.Delete(file);
        }
    }

    private static string[] SwapLines() =>
        File.ReadAllLines("/proc/swaps").Skip(1).Select(l => string.Join(' ', l.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries))).ToArray();

    private static void Run(string program, params string[] args)
    {
        using var p = System.Diagnostics.Process.Start(program, args)!;
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
    }

    private static int DeadPid()
    {
        using var p = System.Diagnostics.Process.Start("true")!;
        p.WaitForExit();
        return p.Id;
    }
}
