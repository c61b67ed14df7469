namespace Reapd.Tests.Config;

/// <summary>
/// `reapd check-config`, and `reapd run` / `reapd ls` given a configuration file, through the published NativeAOT
/// binary: exit codes, every problem on stderr, nothing started when the file is bad.
/// </summary>
public sealed class CheckConfigCommandTests : IDisposable
{
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("reapd-config-");

    private string Write(string name, string text)
    {
        string path = Path.Combine(_dir.FullName, name);
        File.WriteAllText(path, text);
        return path;
    }

    private const string Bad = """
        [memory]
        term_percent = 10
        kill_percent = 12

        [kill]
        grace = 3
        """;

    [Fact]
    public void A_good_file_is_ok_with_exit_0_and_its_effective_settings()
    {
        string path = Write("good.toml", "[memory]\nterm_percent = 20\n[kill]\nscope = \"subtree\"\n");
        var (code, stdout, stderr) = ReapdBinary.Run("check-config", path);
        Assert.Equal((ExitCodes.Ok, ""), (code, stderr));
        string[] lines = stdout.Split('\n');
        Assert.Equal($"{path}: ok", lines[0]);
        Assert.Contains("[memory]\nterm_percent = 20\nkill_percent = 5\n", stdout, StringComparison.Ordinal);
        Assert.Contains("scope = \"subtree\"\n", stdout, StringComparison.Ordinal);

        (code, stdout, stderr) = ReapdBinary.Run("check-config", "--quiet", path);
        Assert.Equal((ExitCodes.Ok, "", ""), (code, stdout, stderr));
    }

    [Fact]
    public void A_bad_file_lists_every_problem_and_exits_78()
    {
        string path = Write("bad.toml", Bad);
        var (code, stdout, stderr) = ReapdBinary.Run("check-config", path);
        Assert.Equal(ExitCodes.ConfigInvalid, code);
        Assert.Equal(78, code);
        Assert.Equal("", stdout);
        Assert.Equal(
            $"""
            {path}:3:16: memory.kill_percent 12 is above memory.term_percent 10; expected at most the term level
            {path}:6:9: kill.grace is the integer 3; expected a duration as a string like "500ms", "3s" or "2m"
            {path}: 2 problems

            """, stderr);
    }

    [Fact]
    public void A_missing_file_is_a_problem_with_exit_78()
    {
        string path = Path.Combine(_dir.FullName, "absent.toml");
        var (code, _, stderr) = ReapdBinary.Run("check-config", path);
        Assert.Equal(ExitCodes.ConfigInvalid, code);
        Assert.StartsWith($"{path}:1:1: no such file; expected a configuration file", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void The_shipped_example_checks_ok()
    {
        var (code, stdout, _) = ReapdBinary.Run("check-config", Path.Combine(Reapd.Testing.NativeProgram.RepositoryRoot, "packaging", "reapd.toml"));
        Assert.Equal(ExitCodes.Ok, code);
        Assert.EndsWith("reapd.toml: ok", stdout.Split('\n')[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Run_with_a_bad_file_lists_the_problems_exits_78_and_starts_nothing()
    {
        string path = Write("bad.toml", Bad);
        // --dry-run so that the privilege check could not be what stops it: only the file does.
        var (code, stdout, stderr) = ReapdBinary.Run("run", "--config", path, "--dry-run", "--json");
        Assert.Equal(ExitCodes.ConfigInvalid, code);
        Assert.Equal("", stdout);
        Assert.Equal(
            $"""
            {path}:3:16: memory.kill_percent 12 is above memory.term_percent 10; expected at most the term level
            {path}:6:9: kill.grace is the integer 3; expected a duration as a string like "500ms", "3s" or "2m"
            reapd run: the configuration has mistakes; nothing started

            """, stderr);

        (code, stdout, stderr) = ReapdBinary.Run("ls", "--config", path);
        Assert.Equal((ExitCodes.ConfigInvalid, ""), (code, stdout));
        Assert.EndsWith("reapd ls: the configuration has mistakes\n", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void A_command_line_level_that_clashes_with_the_files_level_is_a_usage_error_naming_both()
    {
        string path = Write("levels.toml", "[memory]\nterm_percent = 12\nkill_percent = 8\n");
        var (code, stdout, stderr) = ReapdBinary.Run("run", "--config", path, "--term-percent", "6", "--dry-run");
        Assert.Equal((ExitCodes.Usage, ""), (code, stdout));
        Assert.Equal("reapd run: --term-percent 6 is below the configured kill level 8 (set --kill-percent too)\n", stderr);
    }

    [Fact]
    public void Ls_ranks_with_the_files_protected_names()
    {
        // The test host, protected by its name through the file: listed as excluded for that reason, not ranked.
        string self = Write("self.toml", $"[choice]\nprotect = [\"{File.ReadAllText("/proc/self/comm").Trim()}\"]\n");
        var (code, stdout, stderr) = ReapdBinary.Run("ls", "--config", self, "--json");
        Assert.Equal((ExitCodes.Ok, ""), (code, stderr));
        using var json = System.Text.Json.JsonDocument.Parse(stdout);
        Assert.DoesNotContain(json.RootElement.GetProperty("candidates").EnumerateArray(), c => c.GetProperty("pid").GetInt32() == Environment.ProcessId);
        System.Text.Json.JsonElement me = Assert.Single(json.RootElement.GetProperty("excluded").EnumerateArray(), c => c.GetProperty("pid").GetInt32() == Environment.ProcessId);
        Assert.Equal("protected", me.GetProperty("reason").GetString());
    }

    public void Dispose() => _dir.Delete(recursive: true);
}
