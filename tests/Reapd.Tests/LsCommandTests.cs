using System.Globalization;
using System.Text.Json;
using Reapd.Core.Daemon;
using Reapd.Core.Proc;
using Reapd.Core.Selection;
using Reapd.Linux.Proc;
using Reapd.Linux.Sensors;
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

    [Fact]
    public void Ls_ranks_a_cgroup_and_the_system_with_the_scope_the_daemon_uses()
    {
        using var cgroup = TestCgroup.Create(192L << 20, "ls-scope");
        using var hog = HelperProcess.Start("hog", ["--mib", "8", "--cgroup-procs", Path.Combine(cgroup.Path, "cgroup.procs")]);
        hog.WaitForLine("ready");

        var (code, stdout, stderr) = CliTests.Invoke("ls", "--cgroup", cgroup.Path, "--json");
        Assert.True(code == ExitCodes.Ok, stderr);
        using var json = JsonDocument.Parse(stdout);
        CgroupTarget target = CgroupLocator.Resolve(cgroup.Path, out _)!;
        Assert.Equal(ProcReadOutcome.Ok, SystemMemorySensor.TryOpen(out SystemMemorySensor? system));
        using (system)
        {
            Assert.Equal(ProcReadOutcome.Ok, CgroupV1MemorySensor.TryOpen(target.Directory, system!, out CgroupV1MemorySensor? sensor));
            using (sensor)
            {
                Assert.True(sensor!.TryRead(0, out MemorySample sample));
                RankingScope daemon = RankingScopes.For(target, sample, null, Environment.ProcessId, ProtectedNames.Empty);
                Assert.Equal(daemon.TotalPages, json.RootElement.GetProperty("total_pages").GetInt64());
                Assert.Equal(daemon.PageSizeKiB, json.RootElement.GetProperty("page_size_kib").GetInt32());
                Assert.Equal(Environment.SystemPageSize / 1024, daemon.PageSizeKiB);
            }
            Assert.True(system!.TryReadMemInfo(out MemInfo info));
            RankingScope systemScope = RankingScopes.For(null, default, info, Environment.ProcessId, ProtectedNames.Empty);
            var (systemCode, systemOut, _) = CliTests.Invoke("ls", "--json");
            Assert.Equal(ExitCodes.Ok, systemCode);
            using var systemJson = JsonDocument.Parse(systemOut);
            Assert.Equal(systemScope.TotalPages, systemJson.RootElement.GetProperty("total_pages").GetInt64());
            Assert.Equal(systemScope.PageSizeKiB, systemJson.RootElement.GetProperty("page_size_kib").GetInt32());
        }
    }

    [Fact]
    public void Ls_lists_a_process_whose_main_thread_exited_as_a_candidate_with_the_memory_its_thread_holds()
    {
        using var cgroup = TestCgroup.Create(256L << 20, "ls-thread-exit");
        using var helper = HelperProcess.Start("thread_exit", ["--mib", "64", "--cgroup-procs", Path.Combine(cgroup.Path, "cgroup.procs")], "-pthread");
        helper.WaitForLine("ready");
        Assert.True(ProcFacts.WaitUntil(() => File.ReadAllText($"/proc/{helper.Pid}/stat").Contains(") Z ", StringComparison.Ordinal)), "the main thread did not exit");

        var (code, stdout, stderr) = CliTests.Invoke("ls", "--cgroup", cgroup.Path, "--json");
        Assert.True(code == ExitCodes.Ok, stderr);
        using var json = JsonDocument.Parse(stdout);
        JsonElement candidate = Assert.Single(json.RootElement.GetProperty("candidates").EnumerateArray());
        Assert.Equal(helper.Pid, candidate.GetProperty("pid").GetInt32());
        Assert.True(candidate.GetProperty("rss_anon_kib").GetInt64() >= 64 * 1024, candidate.ToString());
    }

    [Fact]
    public void The_published_binary_under_a_low_open_files_limit_never_fails_inside_reapd()
    {
        // prlimit lowers RLIMIT_NOFILE for the child only. At the lowest limits the .NET console itself cannot start
        // (it dups stdout/stderr and opens a signal pipe on the first write): that crash is the runtime's, with no
        // reapd frame. Above them, reapd either ranks everything or says it ran out of file descriptors.
        for (int limit = 4; limit <= 10; limit++)
        {
            var (code, stdout, stderr) = ReapdBinary.RunWithOpenFilesLimit(limit, "ls");
            // Whatever failed, it was not thrown by reapd's own code (before, MemInfoReader threw on EMFILE).
            string? thrower = stderr.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith("at ", StringComparison.Ordinal));
            Assert.False(thrower?.StartsWith("at Reapd.", StringComparison.Ordinal) ?? false, stderr);
            if (code == ExitCodes.Ok)
            {
                Assert.Contains("candidates", stdout);
            }
            else if (code == ExitCodes.Failed)
            {
                Assert.StartsWith("reapd ls: out of file descriptors (EMFILE/ENFILE)", stderr);
            }
            else
            {
                Assert.Contains("System.ConsolePal", stderr);
            }
        }
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

/// <summary>`reapd ls` out of file descriptors, in this process: one line and exit code 1, never an exception.</summary>
[Collection(nameof(NoParallelCollection))]
public sealed class LsOutOfFileDescriptorsTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Ls_with_no_file_descriptor_left_for_meminfo_or_for_the_scan_says_so_in_one_line(int free)
    {
        // Once with room, so the command's code is loaded: loading an assembly needs descriptors of its own.
        _ = CliTests.Invoke("ls", "-n", "1");
        var (code, stdout, stderr) = OpenFilesLimit.WithFreeDescriptors(free, () => CliTests.Invoke("ls"));
        Assert.Equal(ExitCodes.Failed, code);
        Assert.Equal("", stdout);
        Assert.StartsWith("reapd ls: out of file descriptors (EMFILE/ENFILE) after reading 0 processes", stderr);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
    }
}

/// <summary>Tests that change process-wide state (the open-files limit) run alone, never beside another test.</summary>
[CollectionDefinition(nameof(NoParallelCollection), DisableParallelization = true)]
public sealed class NoParallelCollection;
