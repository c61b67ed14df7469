using System.Text.Json;
using Reapd.Testing;

namespace Reapd.Guest.Tests;

/// <summary>
/// reapd under systemd 252 as PID 1 in the guest (cgroup v2 unified, as systemd sets it up), started from the unit file
/// the repository ships, guarding the whole guest.
/// </summary>
public sealed class SystemdTests
{
    [Theory]
    [InlineData("6.1")]
    [InlineData("6.12")]
    public void A_process_reapd_kills_inside_a_service_is_that_units_failure_with_the_signal_as_reason(string kernel)
    {
        string reapdUnit = File.ReadAllText(Path.Combine(NativeProgram.RepositoryRoot, "docs", "packaging", "reapd.service"));
        // Only ExecStart changes, to the published binary. The unit's PrivateTmp=yes would hide that binary when the
        // checkout itself lives under /tmp (a CI clean clone); an installed reapd lives in /usr/local/bin.
        string dropIn = $"[Service]\nExecStart=\nExecStart={PublishedReapd.BinaryPath} run\n"
            + (PublishedReapd.BinaryPath.StartsWith("/tmp/", StringComparison.Ordinal) ? "PrivateTmp=no\n" : "");
        var options = new GuestOptions
        {
            Systemd = true,
            Timeout = TimeSpan.FromSeconds(420),
            Units = new Dictionary<string, string>
            {
                ["reapd.service"] = reapdUnit,
                ["reapd.service.d/guest.conf"] = dropIn,
                ["victim.service"] = "[Unit]\nDescription=reapd guest test: a service whose process outgrows memory\n\n" +
                    $"[Service]\nExecStart={NativeProgram.Build("hog")} --mib 4096 --rate-mib-s 48 --ignore-term\n",
            },
        };
        GuestRun run = QemuGuest.Run(kernel, ["systemd"], options, GuestTools.Env())["systemd"];
        run.Check(() =>
        {
            Assert.Equal("systemd", run.Result("pid1"));
            Assert.Equal("cgroup2fs", run.Result("cgroup_fs"));
            Assert.Equal("active", run.Result("reapd_state"));
            Assert.Equal("/system.slice/reapd.service", run.Result("reapd_cgroup"));
            Assert.Equal(-900, run.ResultNumber("reapd_adj"));
            Assert.Equal("/system.slice/victim.service", run.Result("victim_cgroup"));

            // systemd's view: the unit failed because its main process was killed by SIGKILL.
            Assert.Equal("failed", run.Result("victim_active"));
            Assert.Equal("signal", run.Result("victim_result"));
            Assert.Equal(2, run.ResultNumber("victim_exec_code")); // CLD_KILLED
            Assert.Equal(9, run.ResultNumber("victim_exec_status"));
            Assert.Contains("status=9/KILL", run.File("victim.journal"), StringComparison.Ordinal);
            Assert.Contains("Failed with result 'signal'", run.File("victim.journal"), StringComparison.Ordinal);

            // reapd's view, in the journal: it sent that SIGKILL, and is still running.
            long victim = run.ResultNumber("victim_pid");
            List<string> messages = [.. JournalMessages(run.File("reapd.journal.json"))];
            Assert.Contains(messages, m => m.StartsWith("signal ", StringComparison.Ordinal) && m.Contains($"pid={victim} ", StringComparison.Ordinal) && m.Contains("signal=SIGKILL", StringComparison.Ordinal));
            Assert.All(messages.Where(m => m.StartsWith("signal ", StringComparison.Ordinal)), m => Assert.Contains($"pid={victim} ", m, StringComparison.Ordinal));
            Assert.Equal("active", run.Result("reapd_state_after"));
            Assert.Equal(run.ResultNumber("oom_kills_before"), run.ResultNumber("oom_kills_after"));
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
