using System.Diagnostics;
using System.Globalization;
using Reapd.Testing;

namespace Reapd.Tests;

public sealed class KillCommandTests
{
    private const long MiB = 1 << 20;

    [Theory]
    [InlineData("reapd kill: kill needs PID")]
    [InlineData("reapd kill: PID must be a positive whole number, not 'abc'", "abc")]
    [InlineData("reapd kill: PID must be a positive whole number, not '0'", "0")]
    [InlineData("reapd kill: unexpected argument '12' for kill", "11", "12")]
    [InlineData("reapd kill: --grace must be a duration like 500ms, 2s or 1.5s, not 'soon'", "11", "--grace", "soon")]
    [InlineData("reapd kill: option --grace needs a value", "11", "--grace")]
    [InlineData("reapd kill: --grace must be a duration like 500ms, 2s or 1.5s, not 'soon'", "11", "--grace=soon")]
    [InlineData("reapd kill: option --grace is given more than once", "11", "--grace", "1s", "--grace", "2s")]
    [InlineData("reapd kill: unknown option '--force' for kill", "11", "--force")]
    [InlineData("reapd kill: --start-time must be a whole number, not '-3'", "11", "--start-time", "-3")]
    public void Bad_kill_arguments_give_one_clear_line_and_the_usage_exit_code(string expected, params string[] args)
    {
        var (code, stdout, stderr) = CliTests.Invoke(["kill", .. args]);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Equal("", stdout);
        Assert.Equal(expected, stderr.TrimEnd('\n'));
    }

    [Fact]
    public void Kill_refuses_init_a_kernel_thread_and_itself_and_reports_an_unknown_pid()
    {
        Root.Require();
        ulong kthreaddStart = ProcFacts.StartTime(2);
        var (initCode, _, initError) = CliTests.Invoke("kill", "1");
        Assert.Equal(ExitCodes.Refused, initCode);
        Assert.StartsWith("reapd kill: refused: PID 1 (init) is never killed", initError);

        var (kthreadCode, _, kthreadError) = CliTests.Invoke("kill", "2");
        Assert.Equal(ExitCodes.Refused, kthreadCode);
        Assert.StartsWith("reapd kill: refused: PID 2 (kthreadd) is a kernel thread", kthreadError);
        Assert.Equal(kthreaddStart, ProcFacts.StartTime(2));

        var (selfCode, _, selfError) = CliTests.Invoke("kill", Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        Assert.Equal(ExitCodes.Refused, selfCode);
        Assert.StartsWith("reapd kill: refused: reapd does not kill itself", selfError);

        var (goneCode, _, goneError) = CliTests.Invoke("kill", "999999999");
        Assert.Equal(ExitCodes.NotFound, goneCode);
        Assert.Equal("reapd kill: no process with PID 999999999", goneError.TrimEnd('\n'));
    }

    [Fact]
    public void Kill_without_its_capabilities_names_what_is_missing_and_signals_nothing()
    {
        Root.Require();
        using var hog = HelperProcess.Start("hog", ["--mib", "1"]);
        hog.WaitForLine("ready");
        var (code, stdout, stderr) = ReapdBinary.RunAs(65534, "kill", hog.Pid.ToString(CultureInfo.InvariantCulture));
        Assert.Equal(ExitCodes.NotPermitted, code);
        Assert.Equal("", stdout);
        Assert.Equal("reapd kill: not permitted: missing CAP_KILL and CAP_SYS_PTRACE (run as root)", stderr.TrimEnd('\n'));
        Assert.False(hog.HasExited);
    }

    [Fact]
    public void Kill_of_a_256_MiB_hog_in_a_memory_cgroup_prints_every_step_and_the_memory_freed()
    {
        using var cgroup = TestCgroup.Create(512 * MiB, "cli");
        using var hog = HelperProcess.Start("hog", ["--mib", "256", "--cgroup-procs", Path.Combine(cgroup.Path, "cgroup.procs")]);
        hog.WaitForLine("ready");
        long before = cgroup.UsageBytes;

        var (code, stdout, stderr) = CliTests.Invoke("kill", hog.Pid.ToString(CultureInfo.InvariantCulture));

        Assert.True(code == ExitCodes.Ok, stderr + stdout);
        Assert.Contains($"reapd kill {hog.Pid} (hog-", stdout);
        Assert.Contains("identity:        confirmed", stdout);
        Assert.Contains("sharers:         none", stdout);
        Assert.Contains("SIGKILL:         sent through the pidfd", stdout);
        Assert.Matches(@"reap:            process_mrelease returned (0|ESRCH)", stdout);
        Assert.Matches(@"reap returned:   [0-9.]+ ms after SIGKILL", stdout);
        Assert.Matches(@"pidfd readable:  [0-9.]+ ms after SIGKILL", stdout);
        Assert.Matches(@"memory back:     [0-9.]+ ms after SIGKILL", stdout);
        double freed = double.Parse(System.Text.RegularExpressions.Regex.Match(stdout, @"freed:\s+([0-9.]+) MiB").Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.InRange(freed, 240, 300);
        Assert.True(cgroup.UsageBytes < before - (240 * MiB));
        Assert.True(hog.WaitForExit(5000));
    }

    [Fact]
    public void Kill_with_a_grace_and_without_the_reap_sends_SIGTERM_then_SIGKILL_to_an_ignorer()
    {
        using var cgroup = TestCgroup.Create(256 * MiB, "cli-grace");
        using var hog = HelperProcess.Start("hog", ["--mib", "64", "--ignore-term", "--cgroup-procs", Path.Combine(cgroup.Path, "cgroup.procs")]);
        hog.WaitForLine("ready");

        var (code, stdout, stderr) = CliTests.Invoke("kill", hog.Pid.ToString(CultureInfo.InvariantCulture), "--grace", "200ms", "--no-reap");

        Assert.True(code == ExitCodes.Ok, stderr + stdout);
        Assert.Contains("SIGTERM:         sent through the pidfd; still alive after the 200 ms grace", stdout);
        Assert.Contains("SIGKILL:         sent through the pidfd", stdout);
        Assert.Contains("reap:            not attempted", stdout);
        Assert.DoesNotContain("reap returned", stdout);
        Assert.Matches(@"pidfd readable:  [0-9.]+ ms after SIGKILL", stdout);
    }

    [Fact]
    public void Kill_finds_and_kills_the_CLONE_VM_sharer_of_its_victim()
    {
        using var cgroup = TestCgroup.Create(512 * MiB, "cli-sharer");
        using var pair = HelperProcess.Start("clone_vm", ["--mib", "128", "--cgroup-procs", Path.Combine(cgroup.Path, "cgroup.procs")]);
        string sharer = pair.WaitForLine("ready").Split(' ')[3];

        var (code, stdout, stderr) = CliTests.Invoke("kill", pair.Pid.ToString(CultureInfo.InvariantCulture));

        Assert.True(code == ExitCodes.Ok, stderr + stdout);
        Assert.Contains($"sharer:          {sharer} shares its mm (kcmp KCMP_VM): SIGKILL sent through the pidfd", stdout);
        Assert.DoesNotContain("EINVAL", stdout);
        Assert.True(ProcFacts.WaitUntil(() => cgroup.Pids.Count == 0), "the pair is still in its cgroup");
    }

    [Fact]
    public void Kill_with_a_stale_start_time_refuses_a_reused_pid_and_the_newcomer_lives()
    {
        Root.Require();
        int pid;
        ulong oldStart;
        using (var hog = HelperProcess.Start("hog", ["--mib", "1"]))
        {
            hog.WaitForLine("ready");
            pid = hog.Pid;
            oldStart = ProcFacts.StartTime(pid);
        }
        Assert.True(ProcFacts.WaitPastTick(oldStart));
        using var newcomer = HelperProcess.Start("pid_at", [pid.ToString(CultureInfo.InvariantCulture)]);
        newcomer.WaitForLine("ready");
        ulong newStart = ProcFacts.StartTime(pid);
        Assert.NotEqual(oldStart, newStart);

        var (code, stdout, stderr) = CliTests.Invoke("kill", pid.ToString(CultureInfo.InvariantCulture), "--start-time", oldStart.ToString(CultureInfo.InvariantCulture));

        Assert.Equal(ExitCodes.Refused, code);
        Assert.Equal("", stdout);
        Assert.Equal($"reapd kill: PID {pid}: the pid now belongs to another process (start time differs): refused, nothing signalled", stderr.TrimEnd('\n'));
        Assert.Equal(newStart, ProcFacts.StartTime(pid));
        Assert.False(newcomer.HasExited);
    }

    [Fact]
    public void A_killed_process_stuck_on_FUSE_keeps_its_memory_until_reapd_kill_reaps_it_while_it_still_exists()
    {
        using var cgroup = TestCgroup.Create(512 * MiB, "cli-fuse");
        using var fuse = FuseStuck.Start(256, Path.Combine(cgroup.Path, "cgroup.procs"));
        long before = cgroup.UsageBytes;

        // A killer without a reaper: plain SIGKILL. The leader turns zombie, the reader thread stays in D.
        Assert.Equal(0, kill(fuse.VictimPid, 9));
        Assert.True(ProcFacts.WaitUntil(() => fuse.VictimThreadStates().SequenceEqual(['Z', 'D'])));
        var window = Stopwatch.StartNew();
        while (window.ElapsedMilliseconds < 500)
        {
            Assert.True(cgroup.UsageBytes > before - (8 * MiB), "memory came back without a reaper");
            Thread.Sleep(20);
        }

        var (code, stdout, stderr) = CliTests.Invoke("kill", fuse.VictimPid.ToString(CultureInfo.InvariantCulture), "--wait", "300ms");

        Assert.True(code == ExitCodes.Ok, stderr + stdout);
        Assert.Contains("reap:            process_mrelease returned 0", stdout);
        Assert.Contains("pidfd readable:  not within the wait", stdout);
        Assert.True(System.Text.RegularExpressions.Regex.IsMatch(stdout, @"memory back:     [0-9.]+ ms after SIGKILL"), stdout);
        Assert.True(cgroup.UsageBytes < before - (240 * MiB), $"usage {before} -> {cgroup.UsageBytes}");
        Assert.Equal(['Z', 'D'], fuse.VictimThreadStates());
    }

    [Fact]
    public void The_published_binary_kills_and_reaps_a_hog()
    {
        using var cgroup = TestCgroup.Create(256 * MiB, "aot");
        using var hog = HelperProcess.Start("hog", ["--mib", "64", "--cgroup-procs", Path.Combine(cgroup.Path, "cgroup.procs")]);
        hog.WaitForLine("ready");

        var (code, stdout, stderr) = ReapdBinary.Run("kill", hog.Pid.ToString(CultureInfo.InvariantCulture));

        Assert.True(code == ExitCodes.Ok, stderr + stdout);
        Assert.Contains("identity:        confirmed", stdout);
        Assert.Matches(@"reap:            process_mrelease returned (0|ESRCH)", stdout);
        Assert.Matches(@"freed:           [0-9.]+ MiB", stdout);
        Assert.True(hog.WaitForExit(5000));
    }

    [Fact]
    public void Kill_help_describes_every_option()
    {
        var (code, stdout, _) = CliTests.Invoke("kill", "--help");
        Assert.Equal(ExitCodes.Ok, code);
        foreach (string option in new[] { "--grace DURATION", "--no-reap", "--wait DURATION", "--start-time TICKS" })
        {
            Assert.Contains(option, stdout);
        }
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int sig);
}
