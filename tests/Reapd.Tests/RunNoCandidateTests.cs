using System.Text.Json;
using Reapd.Daemon;
using Reapd.Testing;

namespace Reapd.Tests;

public sealed class RunNoCandidateTests
{
    [Fact]
    public void When_every_process_in_the_cgroup_is_protected_nobody_is_chosen_and_that_is_reported()
    {
        using TestCgroup cgroup = TestCgroup.Create(64L << 20, "nocand");
        // 60 MiB of 64: below the kill level. The hog is protected by name, so nobody may be chosen.
        using HelperProcess hog = RunHogs.Start(cgroup, 60);
        hog.WaitForLine(" ready ");
        string comm = File.ReadAllText($"/proc/{hog.Pid}/comm").TrimEnd('\n');
        RunOptions options = RunOptionsParser.TryParse(["--cgroup", cgroup.Path, "--json", "--protect", comm], out string? error)
            ?? throw new InvalidOperationException(error);
        var output = new StringWriter();
        using DaemonLoop guard = DaemonLoop.TryCreate(options, new EventLog(output, json: true, journal: false), out error, out _)
            ?? throw new InvalidOperationException(error);

        guard.Start(protectSelf: false);
        for (int i = 0; i < 5; i++)
        {
            guard.RunOnce(0);
        }

        List<JsonElement> events = [.. output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone())];
        JsonElement report = Assert.Single(events, e => e.GetProperty("event").GetString() == "no-candidate");
        Assert.Equal(1, report.GetProperty("processes").GetInt32());
        Assert.Equal(0, report.GetProperty("candidates").GetInt32());
        Assert.Contains("protected", report.GetProperty("why").GetString());
        Assert.DoesNotContain(events, e => e.GetProperty("event").GetString() is "choice" or "signal");
        Assert.Equal(Core.Daemon.VictimPhase.None, guard.Phase);
        Assert.False(hog.HasExited);
    }
}
