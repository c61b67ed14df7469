using System.Globalization;
using System.Text.Json;
using Reapd.Testing;

namespace Reapd.Tests;

/// <summary>
/// The kill hooks of the published daemon on a real kill: a hog ramping into a 512 MiB child memory cgroup (v1), hook
/// scripts that write down their environment, their oom_score_adj, nice and process group. Desktop notifications are
/// off here (a session bus on the machine must not change what these tests see). Skipped with the reason when not
/// root or without the v1 memory controller.
/// </summary>
public sealed class RunHookTests
{
    private const long MiB = 1L << 20;

    [Fact]
    public void A_kill_runs_the_before_and_after_hooks_with_the_victim_in_their_environment_at_normal_priority()
    {
        using TestCgroup cgroup = TestCgroup.Create(512 * MiB, "hooks");
        using var dir = new HookDirectory();
        string before = dir.Script("before.sh", """
            out="$HOOK_DIR/before.$REAPD_SIGNAL"
            { env; echo "ADJ=$(cat /proc/self/oom_score_adj)"; echo "NICE=$(cut -d' ' -f19 /proc/self/stat)"; echo "PGID=$(cut -d' ' -f5 /proc/self/stat)"; echo "SELF=$$"; } > "$out.tmp" && mv "$out.tmp" "$out"
            """);
        string after = dir.Script("after.sh", """
            { env; echo "ADJ=$(cat /proc/self/oom_score_adj)"; } > "$HOOK_DIR/after.tmp" && mv "$HOOK_DIR/after.tmp" "$HOOK_DIR/after"
            """);
        // The daemon runs at oom_score_adj 300 (raising needs no privilege; reapd's own -900 needs CAP_SYS_RESOURCE, which
        // a test machine's root may lack): the hooks must not inherit it, nor the daemon's nice -20.
        using RunDaemon daemon = RunDaemon.StartWithOomScoreAdj(300, "--cgroup", cgroup.Path, "--notify-desktop", "off",
            "--hook-before-kill", before, "--hook-after-kill", after);

        using HelperProcess hog = RunHogs.Start(cgroup, 1024, rateMiBPerSecond: 1024);
        JsonElement settle = daemon.WaitFor("settle", e => Pid(e) == hog.Pid);
        JsonElement afterEvent = daemon.WaitFor("hook", e => e.GetProperty("when").GetString() == "after-kill");
        Assert.True(hog.WaitForExit(10_000), "the hog is still alive");

        Assert.Equal("ok", afterEvent.GetProperty("result").GetString());
        Assert.Equal(after, afterEvent.GetProperty("program").GetString());
        Assert.Equal(hog.Pid, Pid(afterEvent));
        JsonElement kill = daemon.Named("signal").Single(e => e.GetProperty("signal").GetString() == "SIGKILL");
        Assert.Equal("Sent", kill.GetProperty("result").GetString());
        // One before-kill run per signal sent: the SIGTERM (the hog ignores it) and the SIGKILL.
        foreach (JsonElement signal in daemon.Named("signal"))
        {
            string name = signal.GetProperty("signal").GetString()!;
            daemon.WaitFor("hook", e => e.GetProperty("when").GetString() == "before-kill" && e.GetProperty("result").GetString() == "ok");
            Dictionary<string, string> env = dir.WaitForEnvironment("before." + name);
            Assert.Equal("before-kill", env["REAPD_EVENT"]);
            Assert.Equal(hog.Pid.ToString(CultureInfo.InvariantCulture), env["REAPD_PID"]);
            Assert.Equal(daemon.Named("choice")[0].GetProperty("name").GetString(), env["REAPD_COMM"]);
            Assert.StartsWith("hog", env["REAPD_COMM"]);
            Assert.Equal(name, env["REAPD_SIGNAL"]);
            Assert.Equal(cgroup.RelativePath, env["REAPD_CGROUP"]);
            Assert.Equal("cgroup v1 " + cgroup.Path, env["REAPD_SCOPE"]);
            Assert.Contains(env["REAPD_REASON"], new[] { "term-level", "kill-level", "kill-level-during-grace", "grace-expired" });
            Assert.True(long.Parse(env["REAPD_HELD_BYTES"], CultureInfo.InvariantCulture) > 100 * MiB, env["REAPD_HELD_BYTES"]);
            Assert.Equal("0", env["ADJ"]);
            Assert.Equal("0", env["NICE"]);
            // The hook leads a process group of its own (the timeout kills the whole group).
            Assert.Equal(env["SELF"], env["PGID"]);
            // Nothing of reapd's environment but a fixed PATH (HOOK_DIR is a shell variable of the script, not exported).
            Assert.Equal("/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", env["PATH"]);
            Assert.False(env.ContainsKey("DOTNET_ROOT") || env.ContainsKey("HOME"), string.Join(' ', env.Keys));
        }

        Dictionary<string, string> afterEnv = dir.WaitForEnvironment("after");
        Assert.Equal("after-kill", afterEnv["REAPD_EVENT"]);
        Assert.Equal(hog.Pid.ToString(CultureInfo.InvariantCulture), afterEnv["REAPD_PID"]);
        Assert.Equal("SIGKILL", afterEnv["REAPD_SIGNAL"]);
        Assert.Equal(cgroup.RelativePath, afterEnv["REAPD_CGROUP"]);
        Assert.Equal(settle.GetProperty("reason").GetString(), afterEnv["REAPD_SETTLE"]);
        Assert.Contains(afterEnv["REAPD_SETTLE"], new[] { "reaped", "exited" });
        long freed = long.Parse(afterEnv["REAPD_FREED_BYTES"], CultureInfo.InvariantCulture);
        // What the kernel confirmed freed: what the hog held when chosen (it ramps to at most the 512 MiB limit).
        Assert.InRange(freed, 200 * MiB, 512 * MiB);
        Assert.Equal(afterEnv["REAPD_HELD_BYTES"], afterEnv["REAPD_FREED_BYTES"]);
        Assert.Equal((freed >> 20).ToString(CultureInfo.InvariantCulture), afterEnv["REAPD_FREED_MIB"]);
        Assert.Equal("0", afterEnv["ADJ"]);
        daemon.StopCleanly();
    }

    [Fact]
    public void A_hook_that_never_ends_is_killed_with_its_process_group_at_the_timeout_and_the_kill_does_not_wait_for_it()
    {
        using TestCgroup cgroup = TestCgroup.Create(512 * MiB, "hooktimeout");
        using var dir = new HookDirectory();
        string before = dir.Script("sleeper.sh", """
            sleep 1000 &
            { echo "SELF=$$"; echo "CHILD=$!"; } > "$HOOK_DIR/sleeper.tmp" && mv "$HOOK_DIR/sleeper.tmp" "$HOOK_DIR/sleeper"
            wait
            """);
        // --grace 0s: one SIGKILL at the term level, so one before-kill run.
        using RunDaemon daemon = RunDaemon.Start("--cgroup", cgroup.Path, "--notify-desktop", "off", "--grace", "0s",
            "--hook-before-kill", before, "--hook-timeout", "2s");
        using HelperProcess hog = RunHogs.Start(cgroup, 1024, rateMiBPerSecond: 1024);
        daemon.WaitFor("settle", e => Pid(e) == hog.Pid);
        JsonElement timeout = daemon.WaitFor("hook", e => e.GetProperty("result").GetString() == "timeout", 30_000);
        Assert.True(hog.WaitForExit(10_000), "the hog is still alive");

        Dictionary<string, string> sleeper = dir.WaitForEnvironment("sleeper");
        Assert.Equal(sleeper["SELF"], timeout.GetProperty("child_pid").GetInt32().ToString(CultureInfo.InvariantCulture));
        Assert.Equal("before-kill", timeout.GetProperty("when").GetString());
        Assert.Equal(hog.Pid, Pid(timeout));
        Assert.Contains("killed with its process group", timeout.GetProperty("detail").GetString());
        // The kill went ahead while the hook was still running: the SIGKILL and the victim's settle come first.
        List<string> order = [.. daemon.Events.Select(e => e.GetProperty("event").GetString()!)];
        int signalAt = order.IndexOf("signal");
        Assert.Equal("SIGKILL", daemon.Named("signal").Single().GetProperty("signal").GetString());
        Assert.True(signalAt < order.IndexOf("settle") && order.IndexOf("settle") < order.IndexOf("hook"), string.Join(' ', order));
        // The hook and the process it started are dead (a zombie counts: its parent may not have reaped it yet).
        Assert.False(Alive(int.Parse(sleeper["SELF"], CultureInfo.InvariantCulture)), "the hook survived its timeout");
        Assert.True(WaitDead(int.Parse(sleeper["CHILD"], CultureInfo.InvariantCulture)), "the hook's child survived the group kill");
        daemon.StopCleanly();
    }

    [Fact]
    public void A_hook_that_fails_is_reported_with_its_exit_code()
    {
        using TestCgroup cgroup = TestCgroup.Create(512 * MiB, "hookfail");
        using var dir = new HookDirectory();
        string after = dir.Script("fails.sh", "exit 3");
        using RunDaemon daemon = RunDaemon.Start("--cgroup", cgroup.Path, "--notify-desktop", "off", "--hook-after-kill", after);
        // 256 MiB/s reaches the 512 MiB limit in 2 s: room for one no-candidate back-off (1 s) and a second scan. At
        // 1 GiB/s (0.5 s) a loaded machine once lost the race: the first scan found no candidate, and while reapd waited
        // out the back-off the memcg OOM killer took the hog, so no after-kill hook ever ran.
        using HelperProcess hog = RunHogs.Start(cgroup, 1024, rateMiBPerSecond: 256);
        JsonElement hook = daemon.WaitFor("hook", _ => true);
        Assert.Equal("after-kill", hook.GetProperty("when").GetString());
        Assert.Equal("failed", hook.GetProperty("result").GetString());
        Assert.Equal("exit 3", hook.GetProperty("detail").GetString());
        Assert.True(hog.WaitForExit(10_000), "the hog is still alive");
        daemon.StopCleanly();
    }

    private static int Pid(JsonElement e) => e.TryGetProperty("pid", out JsonElement pid) ? pid.GetInt32() : -1;

    /// <summary>Running (not gone, not a zombie).</summary>
    private static bool Alive(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..][0] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static bool WaitDead(int pid)
    {
        for (int i = 0; i < 100 && Alive(pid); i++)
        {
            Thread.Sleep(50);
        }
        return !Alive(pid);
    }

    /// <summary>A temporary directory of hook scripts; each script knows it through HOOK_DIR (written into it).</summary>
    private sealed class HookDirectory : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("reapd-hooks-").FullName;

        public string Script(string name, string body)
        {
            string path = System.IO.Path.Combine(Path, name);
            File.WriteAllText(path, $"#!/bin/sh\nHOOK_DIR='{Path}'\n{body}\n");
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
            return path;
        }

        /// <summary>The KEY=VALUE lines a hook wrote (it renames the file into place when done), waiting at most 10 s.</summary>
        public Dictionary<string, string> WaitForEnvironment(string name)
        {
            string path = System.IO.Path.Combine(Path, name);
            for (int i = 0; i < 200 && !File.Exists(path); i++)
            {
                Thread.Sleep(50);
            }
            Assert.True(File.Exists(path), $"the hook never wrote {name}");
            var env = new Dictionary<string, string>();
            foreach (string line in File.ReadAllLines(path))
            {
                int eq = line.IndexOf('=');
                if (eq > 0)
                {
                    env[line[..eq]] = line[(eq + 1)..];
                }
            }
            return env;
        }

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
