using Reapd.Bench.Swap;

namespace Reapd.Bench.Tests;

public class GuestModeTests
{
    [Fact]
    public void In_a_guest_systemd_oomd_and_mglru_join_every_daemon_of_the_host()
    {
        var options = BenchOptions.Parse(["--in-guest"], out string? error);

        Assert.Null(error);
        Assert.True(options!.InGuest);
        Assert.Equal(["kernel", "earlyoom", "nohang", "systemd-oomd", "mglru", "reapd"], options.DaemonNames);
    }

    [Fact]
    public void On_the_host_the_guest_only_daemons_run_only_when_named()
    {
        Assert.Equal(["kernel", "earlyoom", "nohang", "reapd"], BenchOptions.Parse([], out _)!.DaemonNames);
        Assert.Equal(["systemd-oomd", "reapd"], BenchOptions.Parse(["--daemons", "reapd,systemd-oomd"], out _)!.DaemonNames);
    }

    [Fact]
    public void Systemd_oomd_is_enabled_on_the_slices_as_distributions_do_with_the_benchs_lines()
    {
        var files = SystemdOomd.Configuration.ToDictionary(f => f.Path, f => f.Text);

        Assert.Equal("[Slice]\nManagedOOMSwap=kill\n", files["/run/systemd/system/-.slice.d/50-reapd-bench.conf"]);
        foreach (string slice in new[] { "system.slice", "user.slice" })
        {
            Assert.Equal("[Slice]\nManagedOOMMemoryPressure=kill\nManagedOOMMemoryPressureLimit=60%\n", files[$"/run/systemd/system/{slice}.d/50-reapd-bench.conf"]);
        }
        // The SIGKILL line is 5 % available: oomd's swap rule acts above 95 % of memory and of swap used.
        Assert.Equal("[OOM]\nSwapUsedLimit=95%\nDefaultMemoryPressureLimit=60%\nDefaultMemoryPressureDurationSec=10s\n", files["/run/systemd/oomd.conf.d/50-reapd-bench.conf"]);
        Assert.Equal(SystemdOomd.DropInFiles.Order(), files.Keys.Order());
    }

    [Fact]
    public void The_drop_ins_use_only_settings_this_systemd_knows()
    {
        // systemd's own parser: systemd-analyze verify on a unit with each [Slice] setting warns on an unknown one.
        Assert.SkipUnless(File.Exists("/usr/bin/systemd-analyze"), "needs systemd-analyze (systemd) to check the unit settings");
        string dir = Directory.CreateTempSubdirectory("reapd-bench-oomd-").FullName;
        try
        {
            foreach (var (name, text) in new[] { ("bench-root.slice", SystemdOomd.RootSliceConf), ("bench-pressure.slice", SystemdOomd.PressureSliceConf) })
            {
                string unit = Path.Combine(dir, name);
                File.WriteAllText(unit, "[Unit]\nDescription=check\n\n" + text);
                using var p = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("systemd-analyze", ["verify", "--man=no", unit])
                { RedirectStandardError = true, RedirectStandardOutput = true })!;
                string output = p.StandardError.ReadToEnd() + p.StandardOutput.ReadToEnd();
                p.WaitForExit();
                Assert.DoesNotContain("Unknown key", output, StringComparison.Ordinal);
                Assert.DoesNotContain("Failed to parse", output, StringComparison.Ordinal);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Theory]
    [InlineData("0x0007", true)]
    [InlineData("0x0001\n", true)]
    [InlineData("0x0000", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void Mglru_counts_as_on_when_its_core_bit_is_set(string? enabled, bool on)
    {
        Assert.Equal(on, Mglru.IsOn(enabled));
    }
}
