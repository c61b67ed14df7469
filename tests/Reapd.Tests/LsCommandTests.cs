using System.Globalization;
using System.Text.Json;
using Reapd.Testing;

namespace Reapd.Tests;

public sealed class LsCommandTests
{
    [Fact]
    public void Ls_never_lists_init_kernel_threads_or_itself_as_a_candidate_and_says_why()
    {
        var (code, stdout, _) = CliTests.Invoke("ls", "--json");
        Assert.Equal(ExitCodes.Ok, code);
        using var json = JsonDocument.Parse(stdout);
        var candidates = json.RootElement.GetProperty("candidates").EnumerateArray().ToList();
        var excluded = json.RootElement.GetProperty("excluded").EnumerateArray().ToDictionary(e => e.GetProperty("pid").GetInt32());
        Assert.NotEmpty(candidates);
        foreach (JsonElement candidate in candidates)
        {
            int pid = candidate.GetProperty("pid").GetInt32();
            Assert.NotEqual(1, pid);
            Assert.NotEqual(Environment.ProcessId, pid);
            Assert.NotEqual(-1000, candidate.GetProperty("oom_score_adj").GetInt32());
            Assert.False(IsKernelThread(pid), $"kernel thread {pid} listed as a candidate");
        }
        Assert.Equal("init", excluded[1].GetProperty("reason").GetString());
        Assert.Equal("kernel-thread", excluded[2].GetProperty("reason").GetString());
        Assert.Equal("self", excluded[Environment.ProcessId].GetProperty("reason").GetString());
        // Ranked: badness never increases down the list.
        long[] badness = candidates.Select(c => c.GetProperty("badness_pages").GetInt64()).ToArray();
        Assert.Equal(badness.OrderDescending(), badness);
    }

    [Fact]
    public void Ls_excludes_an_oom_score_adj_minus_1000_process_and_a_zombie_from_a_captured_proc()
    {
        // No process on the test machine can be made -1000 (root lacks CAP_SYS_RESOURCE), so this one comes from the
        // captured fixture tree.
        var (code, stdout, _) = CliTests.Invoke("ls", "--proc-root", ProcFixtures.Root);
        Assert.Equal(ExitCodes.Ok, code);
        string[] lines = stdout.Split('\n');
        int excludedAt = Array.FindIndex(lines, l => l.StartsWith("excluded", StringComparison.Ordinal));
        Assert.Contains("hog", lines[3]);
        Assert.Contains(lines[excludedAt..], l => l.Contains(ProcFixtures.OomScoreAdjMin.ToString(CultureInfo.InvariantCulture)) && l.Contains("oom_score_adj -1000"));
        Assert.Contains(lines[excludedAt..], l => l.Contains(ProcFixtures.Zombie.ToString(CultureInfo.InvariantCulture)) && l.Contains("zombie"));
        Assert.Contains(lines[excludedAt..], l => l.Contains("kernel threads"));
        Assert.DoesNotContain(lines[..excludedAt], l => l.Contains(" sleep ") || l.Contains("process_api"));
        // The newline in a hostile name is escaped, so it cannot forge a line of the table.
        Assert.Contains(lines, l => l.Contains("x\\ny"));
    }

    [Fact]
    public void Ls_for_a_cgroup_lists_only_its_processes_scored_against_its_limit()
    {
        using var cgroup = TestCgroup.Create(256L << 20, "ls");
        using var small = HelperProcess.Start("hog", ["--mib", "8", "--cgroup-procs", Path.Combine(cgroup.Path, "cgroup.procs")]);
        using var big = HelperProcess.Start("hog", ["--mib", "32", "--cgroup-procs", Path.Combine(cgroup.Path, "cgroup.procs")]);
        small.WaitForLine("ready");
        big.WaitForLine("ready");

        var (code, stdout, stderr) = CliTests.Invoke("ls", "--cgroup", cgroup.RelativePath, "--json");
        Assert.True(code == ExitCodes.Ok, stderr);
        using var json = JsonDocument.Parse(stdout);
        Assert.Equal(65536, json.RootElement.GetProperty("total_pages").GetInt64());
        int[] pids = json.RootElement.GetProperty("candidates").EnumerateArray().Select(c => c.GetProperty("pid").GetInt32()).ToArray();
        Assert.Equal([big.Pid, small.Pid], pids);
        Assert.Empty(json.RootElement.GetProperty("excluded").EnumerateArray());

        var (tableCode, table, _) = CliTests.Invoke("ls", "--cgroup", cgroup.Path, "-n", "1");
        Assert.Equal(ExitCodes.Ok, tableCode);
        Assert.Contains("2 candidates, the first 1 shown", table);
        Assert.Contains(big.Pid.ToString(CultureInfo.InvariantCulture), table);
        Assert.DoesNotContain($" {small.Pid} ", table);
    }

    [Theory]
    [InlineData(ExitCodes.Usage, "reapd ls: -n must be a positive whole number, not '0'", "-n", "0")]
    [InlineData(ExitCodes.Usage, "reapd ls: option -n needs a value", "-n")]
    [InlineData(ExitCodes.Usage, "reapd ls: unknown option '--frob' for ls", "--frob")]
    [InlineData(ExitCodes.Usage, "reapd ls: option --cgroup needs a value", "--cgroup")]
    [InlineData(ExitCodes.NotFound, "reapd ls: cgroup 'no/such/cgroup' not found", "--cgroup", "no/such/cgroup")]
    [InlineData(ExitCodes.NotFound, "reapd ls: --proc-root '/no/such/dir' is not a directory", "--proc-root", "/no/such/dir")]
    public void Bad_ls_arguments_give_one_clear_line_and_a_distinct_exit_code(int expectedCode, string expectedLine, params string[] args)
    {
        var (code, stdout, stderr) = CliTests.Invoke(["ls", .. args]);
        Assert.Equal(expectedCode, code);
        Assert.Equal("", stdout);
        Assert.StartsWith(expectedLine, stderr);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public void Ls_help_describes_every_option()
    {
        var (code, stdout, _) = CliTests.Invoke("ls", "--help");
        Assert.Equal(ExitCodes.Ok, code);
        foreach (string option in new[] { "-n N", "--cgroup PATH", "--json", "--protect NAME", "--proc-root DIR" })
        {
            Assert.Contains(option, stdout);
        }
    }

    [Fact]
    public void The_published_binary_lists_candidates_and_excludes_itself_init_and_kernel_threads()
    {
        string myName = File.ReadAllText("/proc/self/comm").TrimEnd('\n');
        var (code, stdout, stderr) = ReapdBinary.Run("ls", "--json", "--protect", myName);
        Assert.True(code == ExitCodes.Ok, stderr);
        using var json = JsonDocument.Parse(stdout);
        int self = json.RootElement.GetProperty("self_pid").GetInt32();
        Assert.NotEqual(Environment.ProcessId, self);
        var excluded = json.RootElement.GetProperty("excluded").EnumerateArray().ToDictionary(e => e.GetProperty("pid").GetInt32(), e => e.GetProperty("reason").GetString());
        Assert.Equal("self", excluded[self]);
        Assert.Equal("init", excluded[1]);
        Assert.Equal("kernel-thread", excluded[2]);
        Assert.Equal("protected", excluded[Environment.ProcessId]);
        Assert.DoesNotContain(json.RootElement.GetProperty("candidates").EnumerateArray(), c => c.GetProperty("name").GetString() == myName);
    }

    private static bool IsKernelThread(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            uint flags = uint.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[6], CultureInfo.InvariantCulture);
            return (flags & 0x00200000) != 0;
        }
        catch (IOException)
        {
            return false;
        }
    }
}
