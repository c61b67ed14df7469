using System.Diagnostics;
using System.Text.Json;
using Reapd.Daemon;
using Reapd.Testing;

namespace Reapd.Tests;

/// <summary>The daemon with its built-in desktop rules (no configuration) against real processes named as a desktop's.</summary>
public sealed class RunRulesTests
{
    [Fact]
    public void A_prefer_rule_makes_the_smaller_process_the_victim_and_a_protect_rule_saves_the_biggest()
    {
        using TestCgroup cgroup = TestCgroup.Create(64L << 20, "rules");
        string procs = Path.Combine(cgroup.Path, "cgroup.procs");
        // 30 + 14 + 10 MiB of 64: under the term level of 20 %, above the kill level of 5 %. Without rules the
        // 30 MiB "gnome-shell" would be chosen, then the 14 MiB hog; the 10 MiB "Web Content" is preferred (+300).
        using HelperProcess shell = HelperProcess.Start("hog", ["--mib", "30", "--cgroup-procs", procs, "--name", "gnome-shell"]);
        using HelperProcess plain = HelperProcess.Start("hog", ["--mib", "14", "--cgroup-procs", procs]);
        using HelperProcess content = HelperProcess.Start("hog", ["--mib", "10", "--cgroup-procs", procs, "--name", "Web Content"]);
        foreach (HelperProcess hog in new[] { shell, plain, content })
        {
            hog.WaitForLine(" ready ");
        }
        RunOptions options = RunOptionsParser.TryParse(["--cgroup", cgroup.Path, "--json", "--term-percent", "20", "--kill-percent", "5"], out string? error)
            ?? throw new InvalidOperationException(error);
        var output = new StringWriter();
        using DaemonLoop guard = DaemonLoop.TryCreate(options, new EventLog(output, json: true, journal: false), out error, out _)
            ?? throw new InvalidOperationException(error);

        guard.Start(protectSelf: false);
        var deadline = Stopwatch.StartNew();
        while (!content.HasExited && deadline.ElapsedMilliseconds < 20_000)
        {
            guard.RunOnce(50);
        }

        List<JsonElement> events = [.. output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement.Clone())];
        Assert.True(content.HasExited, "the preferred process still lives: " + output);
        JsonElement choice = Assert.Single(events, e => e.GetProperty("event").GetString() == "choice");
        Assert.Equal(content.Pid, choice.GetProperty("pid").GetInt32());
        Assert.Equal("desktop: firefox Web Content", choice.GetProperty("rules").GetString());
        Assert.True(choice.GetProperty("badness").GetInt64() > choice.GetProperty("base_badness").GetInt64());
        // The protected shell is not even a candidate: two candidates of three processes.
        Assert.Equal(2, choice.GetProperty("candidates").GetInt32());
        JsonElement signal = events.First(e => e.GetProperty("event").GetString() == "signal");
        Assert.Equal(content.Pid, signal.GetProperty("pid").GetInt32());
        Assert.Equal("desktop: firefox Web Content", signal.GetProperty("rules").GetString());
        Assert.DoesNotContain(events, e => e.GetProperty("event").GetString() == "signal" && e.GetProperty("pid").GetInt32() != content.Pid);
        Assert.False(shell.HasExited, "the protected shell died");
        Assert.False(plain.HasExited, "the plain hog died");
    }
}
