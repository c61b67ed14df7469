using System.Text.Json;
using Reapd.Testing;

namespace Reapd.Tests.Config;

/// <summary>
/// SIGHUP to the real published daemon guarding a real child memory cgroup (cgroup v1) with hogs whose oom_score_adj
/// is 1000: a good file's levels are used from the next cycle, a bad file is refused with every problem and the
/// running levels are kept, and a storm of reloads while a victim is in flight neither loses its kill nor adds a
/// second one. Skipped with the reason when not root or without the v1 memory controller.
/// </summary>
public sealed class ConfigReloadTests : IDisposable
{
    private const long MiB = 1L << 20;
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("reapd-reload-");

    private string Config(string text)
    {
        string path = Path.Combine(_dir.FullName, "reapd.toml");
        // Written aside and renamed in, as an editor or a configuration manager does: a reload never reads half a file.
        File.WriteAllText(path + ".new", text);
        File.Move(path + ".new", path, overwrite: true);
        return path;
    }

    [Fact]
    public void A_good_file_is_used_from_the_next_cycle_and_a_bad_one_is_refused_with_every_problem_and_kept_out()
    {
        using TestCgroup cgroup = TestCgroup.Create(256 * MiB, "reload1");
        string path = Config("[memory]\nterm_percent = 10\nkill_percent = 5\n");
        using RunDaemon daemon = RunDaemon.Start("--cgroup", cgroup.Path, "--config", path);
        JsonElement start = daemon.Named("start").Single();
        Assert.Equal(path, start.GetProperty("config").GetString());

        // 150 MiB of 256: about 40 % available, far above a term level of 10 %. It dies on SIGTERM.
        using HelperProcess hog = RunHogs.Start(cgroup, 150, ignoreTerm: false);
        hog.WaitForLine(" ready ");

        // A bad file: refused, every problem listed, the levels in force unchanged.
        Config("[memory]\nterm_percent = 50\nkill_percent = 60\n[kill]\ngraec = \"1s\"\n");
        _ = RunSignals.Send(daemon.Pid, 1);
        JsonElement refused = daemon.WaitFor("reload-refused", _ => true);
        Assert.Equal(path, refused.GetProperty("file").GetString());
        Assert.Equal(
            [
                $"{path}:3:16: memory.kill_percent 60 is above memory.term_percent 50; expected at most the term level",
                $"{path}:5:1: unknown key 'graec' in [kill]; expected one of grace, settle_timeout, stuck_grace, shmem_exit_wait, reap_slow_report, scope, dry_run",
            ],
            refused.GetProperty("problems").EnumerateArray().Select(p => p.GetProperty("problem").GetString()));
        Assert.Empty(daemon.Named("reloaded"));
        Assert.Empty(daemon.Named("trigger"));
        Assert.False(hog.HasExited, "the refused file's term level (50 %) was used");

        // A good file: the term level of 50 % (128 MiB of 256) is crossed at once, and the hog gets SIGTERM.
        Config("[memory]\nterm_percent = 50\nkill_percent = 5\n");
        _ = RunSignals.Send(daemon.Pid, 1);
        JsonElement reloaded = daemon.WaitFor("reloaded", _ => true);
        Assert.Equal("memory.term_percent", reloaded.GetProperty("changed").GetString());
        Assert.Equal("none", reloaded.GetProperty("restart_needed").GetString());
        Assert.Equal(50, reloaded.GetProperty("term_pct").GetDouble());
        JsonElement trigger = daemon.WaitFor("trigger", _ => true);
        Assert.Equal("term", trigger.GetProperty("level").GetString());
        Assert.Equal(128.0, trigger.GetProperty("term_mib").GetDouble());
        daemon.WaitFor("settle", e => e.GetProperty("pid").GetInt32() == hog.Pid);
        Assert.True(hog.WaitForExit(10_000), "the hog is still alive");
        JsonElement signal = Assert.Single(daemon.Named("signal"));
        Assert.Equal(("SIGTERM", hog.Pid), (signal.GetProperty("signal").GetString(), signal.GetProperty("pid").GetInt32()));
        daemon.StopCleanly();
    }

    [Fact]
    public void A_key_read_only_at_start_is_named_as_needing_a_restart_and_the_command_line_keeps_overriding()
    {
        using TestCgroup cgroup = TestCgroup.Create(64 * MiB, "reload2");
        string path = Config("[memory]\nterm_percent = 10\n");
        using RunDaemon daemon = RunDaemon.Start("--cgroup", cgroup.Path, "--config", path, "--kill-percent", "4");
        Config("[memory]\nterm_percent = 12\nkill_percent = 8\n[psi]\nfull_percent = 30\nthrash_percent = \"off\"\n[kill]\nscope = \"process-group\"\n");
        _ = RunSignals.Send(daemon.Pid, 1);
        JsonElement reloaded = daemon.WaitFor("reloaded", _ => true);
        // kill_percent stays 4, from the command line; psi.full_percent and psi.thrash_percent are armed at start (the
        // thrash condition stays on: it is not among the changed).
        Assert.Equal("memory.term_percent kill.scope", reloaded.GetProperty("changed").GetString());
        Assert.Equal("psi.full_percent psi.thrash_percent", reloaded.GetProperty("restart_needed").GetString());
        Assert.Equal((12.0, 4.0), (reloaded.GetProperty("term_pct").GetDouble(), reloaded.GetProperty("kill_pct").GetDouble()));
        daemon.StopCleanly();
    }

    [Fact]
    public void Without_a_file_the_start_event_says_the_built_in_defaults_are_used()
    {
        Assert.SkipWhen(File.Exists("/etc/reapd/reapd.toml"), "/etc/reapd/reapd.toml exists on this machine");
        using TestCgroup cgroup = TestCgroup.Create(64 * MiB, "reload3");
        using RunDaemon daemon = RunDaemon.Start("--cgroup", cgroup.Path);
        JsonElement start = daemon.Named("start").Single();
        Assert.Equal("none (/etc/reapd/reapd.toml absent: built-in defaults)", start.GetProperty("config").GetString());
        Assert.Equal((10.0, 5.0, 3000), (start.GetProperty("term_pct").GetDouble(), start.GetProperty("kill_pct").GetDouble(), start.GetProperty("grace_ms").GetInt32()));
        daemon.StopCleanly();
    }

    [Fact]
    public void SIGHUPs_sent_again_and_again_while_a_victim_is_in_flight_lose_no_kill_and_add_no_second_victim()
    {
        const long LimitMiB = 512;
        using TestCgroup cgroup = TestCgroup.Create(LimitMiB * MiB, "reload4");
        using HelperProcess bystander = RunHogs.Start(cgroup, 16);
        bystander.WaitForLine(" ready ");
        long kernelKillsBefore = cgroup.KernelOomKills;
        // Two good files and a bad one, swapped in turn: every reload changes something or is refused. The grace is
        // long (4 s), so the victim stays in flight, SIGTERMed and ignoring it, while the SIGHUPs arrive.
        string[] files =
        [
            "[memory]\nterm_percent = 10\nkill_percent = 5\n[kill]\ngrace = \"4s\"\n",
            "[memory]\nterm_percent = 11\nkill_percent = 5\n[kill]\ngrace = \"4s\"\nsettle_timeout = \"6s\"\n",
            "[memory]\nterm_percent = 11\nkill_percent = 50\n",
        ];
        string path = Config(files[0]);
        using RunDaemon daemon = RunDaemon.Start("--cgroup", cgroup.Path, "--config", path);

        // 455 MiB next to the bystander's 16: about 8 % of 512 MiB available, between the term and the kill level.
        using HelperProcess hog = RunHogs.Start(cgroup, 455, rateMiBPerSecond: 512);
        daemon.WaitFor("trigger", _ => true);
        int sent = 0;
        while (!hog.HasExited || sent < 40)
        {
            Config(files[sent % files.Length]);
            Assert.Equal(0, RunSignals.Send(daemon.Pid, 1));
            sent++;
            Thread.Sleep(25);
            Assert.True(sent < 2000, "the hog was not killed");
        }
        JsonElement settle = daemon.WaitFor("settle", e => e.GetProperty("pid").GetInt32() == hog.Pid);
        // A last good reload after the settle, answered: every SIGHUP before it was handled by then.
        Config(files[0]);
        _ = RunSignals.Send(daemon.Pid, 1);
        daemon.WaitFor("reloaded", e => !e.GetProperty("in_flight").GetBoolean() && e.GetProperty("term_pct").GetDouble() == 10);

        // No kill lost: the one victim got its SIGTERM and its SIGKILL, and died. No kill doubled: nothing else was
        // chosen or signalled, the bystander lives, and the kernel's OOM killer never ran.
        JsonElement choice = Assert.Single(daemon.Named("choice"));
        Assert.Equal(hog.Pid, choice.GetProperty("pid").GetInt32());
        Assert.All(daemon.Named("signal"), e => Assert.Equal(hog.Pid, e.GetProperty("pid").GetInt32()));
        Assert.Single(daemon.Named("signal"), e => e.GetProperty("signal").GetString() == "SIGKILL");
        Assert.True(hog.WaitForExit(10_000), "the hog is still alive");
        Assert.False(bystander.HasExited, "a second process died");
        Assert.Equal(kernelKillsBefore, cgroup.KernelOomKills);
        Assert.Contains(settle.GetProperty("reason").GetString(), new[] { "reaped", "exited" });
        // The reloads really happened while the victim was in flight, good and bad ones.
        Assert.Contains(daemon.Named("reloaded"), e => e.GetProperty("in_flight").GetBoolean());
        Assert.NotEmpty(daemon.Named("reload-refused"));
        daemon.StopCleanly();
        Assert.Empty(daemon.UnparsedLines);
    }

    public void Dispose() => _dir.Delete(recursive: true);
}
