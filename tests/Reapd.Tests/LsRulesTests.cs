using System.Globalization;
using System.Text.Json;
using Reapd.Testing;

namespace Reapd.Tests;

/// <summary>`reapd ls` with the built-in desktop rules, against real processes named as a browser's and a compositor.</summary>
public sealed class LsRulesTests
{
    [Fact]
    public void Ls_names_the_rules_that_touched_each_process_and_shows_how_each_moved_its_score()
    {
        using var cgroup = TestCgroup.Create(256L << 20, "ls-rules");
        string procs = Path.Combine(cgroup.Path, "cgroup.procs");
        using var renderer = HelperProcess.Start("hog", ["--mib", "4", "--cgroup-procs", procs, "--name", "chrome", "--", "--type=renderer"]);
        using var plain = HelperProcess.Start("hog", ["--mib", "16", "--cgroup-procs", procs]);
        using var shell = HelperProcess.Start("hog", ["--mib", "32", "--cgroup-procs", procs, "--name", "gnome-shell"]);
        foreach (HelperProcess hog in new[] { renderer, plain, shell })
        {
            hog.WaitForLine("ready");
        }

        var (code, stdout, stderr) = CliTests.Invoke("ls", "--cgroup", cgroup.Path, "--json");
        Assert.True(code == ExitCodes.Ok, stderr);
        using var json = JsonDocument.Parse(stdout);
        JsonElement[] candidates = [.. json.RootElement.GetProperty("candidates").EnumerateArray()];
        // The 4 MiB renderer is preferred (+300 units of 65 pages) over the 16 MiB hog; the 32 MiB shell is protected.
        Assert.Equal([renderer.Pid, plain.Pid], candidates.Select(c => c.GetProperty("pid").GetInt32()));
        JsonElement first = candidates[0];
        JsonElement step = Assert.Single(first.GetProperty("rules").EnumerateArray());
        Assert.Equal("desktop: chromium renderer or utility", step.GetProperty("name").GetString());
        Assert.Equal("prefer", step.GetProperty("action").GetString());
        Assert.Equal("built-in", step.GetProperty("where").GetString());
        Assert.Equal("prefer +300 adj", step.GetProperty("effect").GetString());
        Assert.Equal(first.GetProperty("base_badness_pages").GetInt64(), step.GetProperty("before_pages").GetInt64());
        Assert.Equal(first.GetProperty("badness_pages").GetInt64(), step.GetProperty("after_pages").GetInt64());
        Assert.Equal(300 * (65536 / 1000), step.GetProperty("after_pages").GetInt64() - step.GetProperty("before_pages").GetInt64());
        Assert.Empty(candidates[1].GetProperty("rules").EnumerateArray());
        Assert.Equal(candidates[1].GetProperty("base_badness_pages").GetInt64(), candidates[1].GetProperty("badness_pages").GetInt64());
        JsonElement excluded = Assert.Single(json.RootElement.GetProperty("excluded").EnumerateArray());
        Assert.Equal(shell.Pid, excluded.GetProperty("pid").GetInt32());
        Assert.Equal("protected", excluded.GetProperty("reason").GetString());
        Assert.Equal("desktop: protect gnome-shell", Assert.Single(excluded.GetProperty("rules").EnumerateArray()).GetProperty("name").GetString());

        var (tableCode, table, _) = CliTests.Invoke("ls", "--cgroup", cgroup.Path);
        Assert.Equal(ExitCodes.Ok, tableCode);
        string[] lines = table.Split('\n');
        int row = Array.FindIndex(lines, l => l.TrimStart().StartsWith(renderer.Pid.ToString(CultureInfo.InvariantCulture) + " ", StringComparison.Ordinal));
        Assert.True(row >= 0, table);
        Assert.EndsWith("  desktop: chromium renderer or utility", lines[row]);
        Assert.Equal(
            $"score {first.GetProperty("base_badness_pages").GetInt64()} (kernel) -> prefer +300 adj = {first.GetProperty("badness_pages").GetInt64()} (desktop: chromium renderer or utility, built-in)",
            lines[row + 1].Trim());
        Assert.Contains(lines, l => l.TrimStart().StartsWith(plain.Pid.ToString(CultureInfo.InvariantCulture) + " ", StringComparison.Ordinal) && l.EndsWith("  -", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains($"{shell.Pid}  gnome-shell", StringComparison.Ordinal) && l.EndsWith("(rules: desktop: protect gnome-shell)", StringComparison.Ordinal));
    }
}
