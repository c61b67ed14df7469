using System.Text.Json;
using Reapd.Testing;

namespace Reapd.Guest.Tests;

/// <summary>
/// The Debian package (packaging/deb/build-deb.sh) installed with apt-get in a systemd guest whose root is writable
/// (an overlay over this machine's root: the host's dpkg database satisfies the package's dependencies, and nothing
/// reaches the host). Only on 6.12: what is tested is dpkg, apt and systemd, not the kernel.
/// </summary>
public sealed class DebianPackageTests
{
    [Fact]
    public void The_package_installs_with_apt_guards_the_guest_and_leaves_nothing_after_purge()
    {
        QemuGuest.RequireKernel("6.12");
        string deb = DebianPackage.FilePath;
        var options = new GuestOptions
        {
            Systemd = true,
            WritableRoot = true,
            MemoryMiB = 1024,
            Timeout = TimeSpan.FromSeconds(480),
            Units = new Dictionary<string, string>
            {
                ["victim.service"] = "[Unit]\nDescription=reapd guest test: a service whose process outgrows memory\n\n" +
                    $"[Service]\nExecStart={NativeProgram.Build("hog")} --mib 4096 --rate-mib-s 64 --ignore-term\n",
            },
        };
        GuestRun run = QemuGuest.Run("6.12", ["deb"], options, GuestTools.Env(("DEB", deb)))["deb"];
        string version = Path.GetFileName(deb).Split('_')[1];
        run.Check(() =>
        {
            Assert.Equal("systemd", run.Result("pid1"));
            Assert.Equal("overlayfs", run.Result("root_fs"));
            Assert.Equal("unknown", run.Result("status_before"));

            // Installed from the file with no network and no package lists: every dependency was already in the
            // dpkg database. The postinst enabled and started it.
            Assert.Equal(0, run.ResultNumber("install_exit"));
            Assert.Equal("ii ", run.Result("status_installed"));
            Assert.Equal(version, run.Result("version_installed"));
            Assert.Equal("enabled", run.Result("is_enabled"));
            Assert.Equal("/usr/lib/systemd/system/reapd.service", run.Result("wants_link"));
            Assert.Equal("active", run.Result("is_active"));
            Assert.Equal("/usr/sbin/reapd", run.Result("reapd_exe"));
            Assert.Equal(-900, run.ResultNumber("reapd_adj"));
            Assert.Contains("/etc/default/reapd", run.File("conffiles.txt"), StringComparison.Ordinal);
            if (File.Exists(Path.Combine(NativeProgram.RepositoryRoot, "docs", "reapd.8")))
            {
                Assert.Equal("/usr/share/man/man8/reapd.8.gz", run.Result("man_path"));
            }

            // It guards: its start event, then the SIGKILL of the hog in victim.service, and it is still running.
            List<string> messages = [.. JournalMessages(run.File("reapd.journal.json"))];
            Assert.Contains(messages, m => m.StartsWith("start ", StringComparison.Ordinal));
            long victim = run.ResultNumber("victim_pid");
            Assert.Contains(messages, m => m.StartsWith("signal ", StringComparison.Ordinal) && m.Contains($"pid={victim} ", StringComparison.Ordinal) && m.Contains("signal=SIGKILL", StringComparison.Ordinal));
            Assert.Equal("signal", run.Result("victim_result"));
            Assert.Equal(9, run.ResultNumber("victim_exec_status"));
            Assert.Equal("active", run.Result("is_active_after_kill"));
            Assert.Equal(run.ResultNumber("oom_kills_before"), run.ResultNumber("oom_kills_after"));

            // The installed configuration file checks ok and is named in the start event; `systemctl reload` applies
            // an edit, and refuses a broken one with its position, with the same process still running.
            Assert.Equal(0, run.ResultNumber("config_check_exit"));
            Assert.Equal("yes", run.Result("config_in_start"));
            Assert.Contains("/etc/reapd/reapd.toml", run.File("conffiles.txt"), StringComparison.Ordinal);
            Assert.Equal(0, run.ResultNumber("reload_exit"));
            Assert.Equal(0, run.ResultNumber("reload_bad_exit"));
            string[] reloads = run.File("reloads.txt").Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(2, reloads.Length);
            Assert.StartsWith("reloaded ", reloads[0], StringComparison.Ordinal);
            Assert.Contains("changed=memory.term_percent", reloads[0], StringComparison.Ordinal);
            Assert.StartsWith("reload-refused ", reloads[1], StringComparison.Ordinal);
            // Appended after the last table of the example, [notify]: the problem names it and its line.
            Assert.Contains("/etc/reapd/reapd.toml:", reloads[1], StringComparison.Ordinal);
            Assert.Contains("unknown key 'bogus' in [notify]", reloads[1], StringComparison.Ordinal);
            Assert.Equal(run.ResultNumber("reapd_pid"), run.ResultNumber("reload_pid"));
            Assert.Equal("active", run.Result("is_active_after_reload"));

            // A policy-rc.d that forbids it (exit 101) keeps the reinstall's postinst from restarting the daemon.
            Assert.Equal(0, run.ResultNumber("policy_reinstall_exit"));
            Assert.Contains("policy-rc.d returned 101", run.File("apt-reinstall-policy.log"), StringComparison.Ordinal);
            Assert.Equal(run.ResultNumber("reapd_pid"), run.ResultNumber("policy_pid"));

            // remove: the daemon is stopped, the files are gone, the conffile stays.
            Assert.Equal(0, run.ResultNumber("remove_exit"));
            Assert.Equal("rc ", run.Result("status_removed"));
            Assert.Equal("inactive", run.Result("removed_active"));
            Assert.Equal("no", run.Result("removed_pid_alive"));
            Assert.Equal("no", run.Result("removed_binary"));
            Assert.Equal("no", run.Result("removed_unit_file"));
            Assert.Equal("yes", run.Result("removed_conffile"));

            // purge: dpkg forgets the package, systemd has no such unit, and nothing of it is left on disk.
            Assert.Equal(0, run.ResultNumber("purge_exit"));
            Assert.Equal("unknown", run.Result("status_purged"));
            Assert.Equal("not-found", run.Result("purged_load_state"));
            Assert.Equal(0, run.ResultNumber("purged_unit_files"));
            Assert.Contains("/usr/sbin/reapd", run.File("files.txt"), StringComparison.Ordinal);
            Assert.Equal("", run.File("left.txt").Trim());
            Assert.Equal("", run.File("upper-reapd.txt").Trim());
        });
    }

    private static IEnumerable<string> JournalMessages(string jsonLines)
    {
        foreach (string line in jsonLines.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using JsonDocument entry = JsonDocument.Parse(line);
            if (entry.RootElement.TryGetProperty("MESSAGE", out JsonElement message) && message.ValueKind == JsonValueKind.String)
            {
                yield return message.GetString()!;
            }
        }
    }
}
