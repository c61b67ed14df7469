using Reapd.Announce;
using Reapd.Core.Daemon;
using Reapd.Core.Policy;
using Reapd.Daemon;

namespace Reapd.Tests;

public sealed class RunOptionsTests
{
    [Fact]
    public void No_flags_means_the_built_in_defaults_on_the_whole_machine()
    {
        RunOptions? options = RunOptionsParser.TryParse([], out string? error);
        Assert.Null(error);
        Assert.NotNull(options);
        Assert.Null(options.CgroupPath);
        Assert.False(options.Json);
        Assert.Equal(new Core.Daemon.DaemonConfig() with { ProtectedNames = options.Config.ProtectedNames }, options.Config);
        Assert.Empty(options.Config.ProtectedNames);
    }

    [Fact]
    public void Every_option_is_read()
    {
        RunOptions? options = RunOptionsParser.TryParse(
            ["--cgroup", "/a/b", "--term-percent", "12.5", "--kill-percent", "6%", "--grace", "500ms", "--settle-timeout", "2",
             "--scan-deadline", "250ms", "--psi-full-percent", "off", "--protect", "sshd", "--protect", "Xorg", "--dry-run", "--json"], out string? error);
        Assert.Null(error);
        Assert.NotNull(options);
        Assert.Equal("/a/b", options.CgroupPath);
        Assert.True(options.Json);
        Assert.Equal(12.5, options.Config.TermPercent);
        Assert.Equal(6, options.Config.KillPercent);
        Assert.Equal(500, options.Config.GraceMs);
        Assert.Equal(2000, options.Config.SettleTimeoutMs);
        Assert.Equal(250, options.Config.ScanDeadlineMs);
        Assert.Null(options.Config.PsiFullPercent);
        Assert.Equal(["sshd", "Xorg"], options.Config.ProtectedNames);
        Assert.True(options.Config.DryRun);
    }

    [Fact]
    public void Every_threshold_option_is_read()
    {
        RunOptions? options = RunOptionsParser.TryParse(
            ["--swap-term-percent", "20", "--swap-kill-percent", "0", "--threshold-combination", "any-of", "--no-zram-aware",
             "--psi-full-duration", "5s", "--psi-some-percent", "40", "--psi-some-duration", "1.5s"], out string? error);
        Assert.Null(error);
        Assert.NotNull(options);
        Assert.Equal(20, options.Config.SwapTermPercent);
        Assert.Equal(0, options.Config.SwapKillPercent);
        Assert.Equal(Core.Policy.ThresholdCombination.AnyOf, options.Config.Combination);
        Assert.False(options.Config.ZramAware);
        Assert.Equal(5000, options.Config.PsiFullDurationMs);
        Assert.Equal(40, options.Config.PsiSomePercent);
        Assert.Equal(1500, options.Config.PsiSomeDurationMs);
        Assert.Null(RunOptionsParser.TryParse(["--psi-some-percent", "off"], out _)!.Config.PsiSomePercent);
        // zram-awareness is experimental and off by default (docs/daemon.md); --no-zram-aware wins over --zram-aware.
        Assert.False(RunOptionsParser.TryParse([], out _)!.Config.ZramAware);
        Assert.True(RunOptionsParser.TryParse(["--zram-aware"], out _)!.Config.ZramAware);
        Assert.False(RunOptionsParser.TryParse(["--zram-aware", "--no-zram-aware"], out _)!.Config.ZramAware);
    }

    [Theory]
    [InlineData(new[] { "--grace", "3x" }, "--grace must be a duration like 500ms, 2s or 1.5s, not '3x'")]
    [InlineData(new[] { "--grace", "-1s" }, "--grace must be a duration like 500ms, 2s or 1.5s, not '-1s'")]
    [InlineData(new[] { "--settle-timeout", "0s" }, "--settle-timeout must be longer than 0")]
    [InlineData(new[] { "--scan-deadline", "0ms" }, "--scan-deadline must be longer than 0")]
    [InlineData(new[] { "--scan-deadline", "soon" }, "--scan-deadline must be a duration like 500ms, 2s or 1.5s, not 'soon'")]
    [InlineData(new[] { "--term-percent", "150" }, "--term-percent must be a percentage above 0 and below 100, not '150'")]
    [InlineData(new[] { "--kill-percent", "abc" }, "--kill-percent must be a percentage above 0 and below 100, not 'abc'")]
    [InlineData(new[] { "--psi-full-percent", "maybe" }, "--psi-full-percent must be a percentage above 0 and at most 100, or off, not 'maybe'")]
    [InlineData(new[] { "--term-percent", "4" }, "--term-percent 4 is below the default kill level 5")]
    [InlineData(new[] { "--term-percent", "8", "--kill-percent", "9" }, "--kill-percent 9 is above --term-percent 8")]
    [InlineData(new[] { "--record-max-mib", "4" }, "--record-max-mib needs --record FILE")]
    [InlineData(new[] { "--record", "/no/such/directory/x.rec" }, "--record /no/such/directory/x.rec: directory /no/such/directory does not exist")]
    [InlineData(new[] { "--record", "x.rec", "--record-max-mib", "0" }, "--record-max-mib must be a positive whole number, not '0'")]
    [InlineData(new[] { "--grace" }, "option --grace needs a value")]
    [InlineData(new[] { "--frobnicate" }, "unknown option '--frobnicate' for run")]
    [InlineData(new[] { "extra" }, "unexpected argument 'extra' for run")]
    [InlineData(new[] { "--grace=3x" }, "--grace must be a duration like 500ms, 2s or 1.5s, not '3x'")]
    [InlineData(new[] { "--protect" }, "option --protect needs a value")]
    [InlineData(new[] { "--protect", "" }, "--protect must not be empty")]
    [InlineData(new[] { "--dry-run=yes" }, "unexpected argument 'yes' for run")]
    [InlineData(new[] { "--notify-desktop", "yes" }, "--notify-desktop must be auto, on or off, not 'yes'")]
    [InlineData(new[] { "--notify-desktop", "" }, "--notify-desktop must be auto, on or off, not ''")]
    [InlineData(new[] { "--notify-desktop" }, "option --notify-desktop needs a value")]
    [InlineData(new[] { "--kill-scope", "pod" }, "--kill-scope must be process, process-group, subtree or cgroup, not 'pod'")]
    [InlineData(new[] { "--kill-scope" }, "option --kill-scope needs a value")]
    [InlineData(new[] { "--cgroup-first", "yes" }, "--cgroup-first must be auto, on or off, not 'yes'")]
    [InlineData(new[] { "--kubernetes", "k8s" }, "--kubernetes must be auto, on or off, not 'k8s'")]
    [InlineData(new[] { "--hook-timeout", "0" }, "--hook-timeout must be longer than 0")]
    [InlineData(new[] { "--hook-timeout", "soon" }, "--hook-timeout must be a duration like 500ms, 2s or 1.5s, not 'soon'")]
    [InlineData(new[] { "--hook-before-kill", "/no/such/reapd-hook" }, "--hook-before-kill /no/such/reapd-hook: no such file")]
    [InlineData(new[] { "--hook-after-kill", "/no/such/reapd-hook" }, "--hook-after-kill /no/such/reapd-hook: no such file")]
    [InlineData(new[] { "--hook-before-kill", "/etc" }, "--hook-before-kill /etc: no such file")]
    [InlineData(new[] { "--hook-before-kill", "" }, "--hook-before-kill needs the path of an executable")]
    [InlineData(new[] { "--swap-term-percent", "100" }, "--swap-term-percent must be a percentage from 0 to below 100, not '100'")]
    [InlineData(new[] { "--swap-kill-percent", "-1" }, "--swap-kill-percent must be a percentage from 0 to below 100, not '-1'")]
    [InlineData(new[] { "--swap-kill-percent", "20" }, "--swap-kill-percent 20 is above the swap term level 10")]
    [InlineData(new[] { "--swap-term-percent", "3", "--swap-kill-percent", "4" }, "--swap-kill-percent 4 is above the swap term level 3")]
    [InlineData(new[] { "--threshold-combination", "either" }, "--threshold-combination must be memory-and-swap or any-of, not 'either'")]
    [InlineData(new[] { "--psi-some-percent", "0" }, "--psi-some-percent must be a percentage above 0 and at most 100, or off, not '0'")]
    [InlineData(new[] { "--psi-full-duration", "forever" }, "--psi-full-duration must be a duration like 500ms, 2s or 1.5s, not 'forever'")]
    [InlineData(new[] { "--psi-some-duration", "-2s" }, "--psi-some-duration must be a duration like 500ms, 2s or 1.5s, not '-2s'")]
    [InlineData(new[] { "--no-zram-aware=yes" }, "unexpected argument 'yes' for run")]
    public void A_bad_value_is_one_line_naming_the_option_and_the_usage_exit_code(string[] args, string message)
    {
        var (code, stdout, stderr) = CliTests.Invoke(["run", .. args]);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Equal("", stdout);
        Assert.StartsWith("reapd run: " + message, stderr);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
    }

    [Fact]
    public void Recording_is_off_by_default_and_record_takes_an_absolute_path_and_a_cap_in_MiB()
    {
        Assert.Null(RunOptionsParser.TryParse([], out _)!.RecordPath);
        RunOptions? options = RunOptionsParser.TryParse(["--record", "reapd-test.rec", "--record-max-mib", "4"], out string? error);
        Assert.Null(error);
        Assert.Equal(Path.GetFullPath("reapd-test.rec"), options!.RecordPath);
        Assert.Equal(4L << 20, options.RecordMaxBytes);
        Assert.Equal(DecisionRecorder.DefaultMaxBytes, RunOptionsParser.TryParse(["--record", "reapd-test.rec"], out _)!.RecordMaxBytes);
    }

    [Fact]
    public void Options_take_their_value_after_an_equals_sign_too()
    {
        RunOptions? options = RunOptionsParser.TryParse(["--grace=2s", "--term-percent=20", "--psi-full-percent=off", "--protect=sshd"], out string? error);
        Assert.Null(error);
        Assert.NotNull(options);
        Assert.Equal(2000, options.Config.GraceMs);
        Assert.Equal(20, options.Config.TermPercent);
        Assert.Null(options.Config.PsiFullPercent);
        Assert.Equal(["sshd"], options.Config.ProtectedNames);
    }

    [Fact]
    public void A_hook_that_is_not_executable_is_one_line_and_the_usage_exit_code()
    {
        string file = Path.GetTempFileName();
        try
        {
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            }
            var (code, stdout, stderr) = CliTests.Invoke("run", "--hook-after-kill", file);
            Assert.Equal(ExitCodes.Usage, code);
            Assert.Equal("", stdout);
            Assert.Equal($"reapd run: --hook-after-kill {file}: not executable\n", stderr);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Desktop_notifications_are_auto_and_there_are_no_hooks_by_default()
    {
        RunOptions? options = RunOptionsParser.TryParse([], out _);
        Assert.Equal(DesktopNotifyMode.Auto, options!.Announce.NotifyDesktop);
        Assert.Null(options.Announce.BeforeKillHook);
        Assert.Null(options.Announce.AfterKillHook);
        Assert.Equal(10_000, options.Announce.HookTimeoutMs);
    }

    [Fact]
    public void The_announce_options_are_read_and_a_relative_hook_becomes_absolute()
    {
        string relative = Path.GetRelativePath(Environment.CurrentDirectory, "/bin/true");
        RunOptions? options = RunOptionsParser.TryParse(
            ["--notify-desktop", "off", "--hook-before-kill", "/bin/true", "--hook-after-kill", relative, "--hook-timeout", "1.5s"], out string? error);
        Assert.Null(error);
        Assert.Equal(new AnnounceOptions(DesktopNotifyMode.Off, "/bin/true", "/bin/true", 1500), options!.Announce);
        Assert.Equal(DesktopNotifyMode.On, RunOptionsParser.TryParse(["--notify-desktop", "on"], out _)!.Announce.NotifyDesktop);
    }

    [Fact]
    public void The_kill_scope_and_choice_modes_are_read_and_default_to_the_process_and_auto()
    {
        DaemonConfig defaults = RunOptionsParser.TryParse([], out _)!.Config;
        Assert.Equal((KillScope.Process, ChoiceMode.Auto, ChoiceMode.Auto), (defaults.KillScope, defaults.CgroupFirst, defaults.Kubernetes));
        DaemonConfig given = RunOptionsParser.TryParse(["--kill-scope", "process-group", "--cgroup-first", "off", "--kubernetes", "on"], out string? error)!.Config;
        Assert.Null(error);
        Assert.Equal((KillScope.ProcessGroup, ChoiceMode.Off, ChoiceMode.On), (given.KillScope, given.CgroupFirst, given.Kubernetes));
        Assert.Equal(KillScope.Subtree, RunOptionsParser.TryParse(["--kill-scope", "subtree"], out _)!.Config.KillScope);
        Assert.Equal(KillScope.Cgroup, RunOptionsParser.TryParse(["--kill-scope", "cgroup"], out _)!.Config.KillScope);
    }

    [Fact]
    public void Help_lists_every_option()
    {
        var (code, stdout, _) = CliTests.Invoke("run", "--help");
        Assert.Equal(ExitCodes.Ok, code);
        foreach (string option in new[] { "--cgroup", "--term-percent", "--kill-percent", "--grace", "--settle-timeout", "--scan-deadline", "--psi-full-percent", "--protect", "--notify-desktop", "--hook-before-kill", "--hook-after-kill", "--hook-timeout", "--kill-scope", "--cgroup-first", "--kubernetes", "--dry-run", "--json" })
        {
            Assert.Contains(option, stdout);
        }
    }

    [Fact]
    public void A_missing_cgroup_is_one_line_and_the_not_found_exit_code()
    {
        var (code, stdout, stderr) = CliTests.Invoke("run", "--dry-run", "--cgroup", "/no/such/reapd-cgroup");
        Assert.Equal(ExitCodes.NotFound, code);
        Assert.Equal("", stdout);
        Assert.StartsWith("reapd run: cgroup '/no/such/reapd-cgroup' not found", stderr);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
    }
}
