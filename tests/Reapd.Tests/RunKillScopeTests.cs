using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Reapd.Testing;

namespace Reapd.Tests;

/// <summary>
/// The published daemon with --kill-scope process-group on a v1 memory cgroup: a shell in a session of its own runs a
/// hog that ignores SIGTERM and a sleeping sibling, all in the cgroup. The hog's SIGKILL takes its process group
/// along, the signal event says so, and the settle waits for the members too (docs/cgroups.md).
/// </summary>
public sealed class RunKillScopeTests
{
    private const long MiB = 1L << 20;

    [Fact]
    public void A_process_group_kill_scope_kills_the_hogs_shell_and_sibling_with_it()
    {
        using TestCgroup cgroup = TestCgroup.Create(256 * MiB, "kill-scope");
        string hog = NativeProgram.Build("hog");
        // reapd guards the cgroup before the hog starts: the hog reaches the limit about a second after its start, and
        // reapd's start (a publish when src is newer than the binary, the warm-up kill, the lock) can take longer, after
        // which the kernel's OOM killer would have ended it.
        using RunDaemon daemon = RunDaemon.Start("--cgroup", cgroup.Path, "--kill-scope", "process-group");
        long kernelKillsBefore = cgroup.KernelOomKills;
        string script = $"echo $$ > {cgroup.Path}/cgroup.procs; sleep 1000 & echo \"sleep $!\"; "
            + $"{hog} --mib 400 --rate-mib-s 256 --adj 1000 --ignore-term & echo \"hog $!\"; wait";
        using Process shell = Process.Start(new ProcessStartInfo("setsid", ["/bin/sh", "-c", script]) { RedirectStandardOutput = true })!;
        int sleeper = 0, hogPid = 0;
        try
        {
            while ((sleeper == 0 || hogPid == 0) && shell.StandardOutput.ReadLine() is string line)
            {
                string[] parts = line.Split(' ');
                _ = parts[0] == "sleep" ? sleeper = int.Parse(parts[1], CultureInfo.InvariantCulture) : hogPid = int.Parse(parts[1], CultureInfo.InvariantCulture);
            }

            JsonElement kill = daemon.WaitFor("signal", e => Pid(e) == hogPid && e.GetProperty("signal").GetString() == "SIGKILL");
            Assert.Equal("Sent", kill.GetProperty("result").GetString());
            Assert.Equal("process-group:" + shell.Id.ToString(CultureInfo.InvariantCulture), kill.GetProperty("scope").GetString());
            Assert.Equal(2, kill.GetProperty("group_processes").GetInt32()); // the shell and the sleeping sibling
            daemon.WaitFor("settle", e => Pid(e) == hogPid);
            Assert.True(shell.WaitForExit(10_000), "the hog's shell (its process group leader) was not killed");
            // SIGKILLed with the group: gone, or a zombie until init reaps it (it was reparented when its shell died).
            Assert.True(SpinWait.SpinUntil(() => !Alive(sleeper), 10_000), "the sleeping sibling in the process group was not killed");
            Assert.Equal(kernelKillsBefore, cgroup.KernelOomKills);
            daemon.StopCleanly();
        }
        finally
        {
            foreach (int pid in new[] { sleeper, hogPid })
            {
                if (pid > 0)
                {
                    try
                    {
                        using Process p = Process.GetProcessById(pid);
                        p.Kill();
                    }
                    catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception)
                    {
                        // already gone
                    }
                }
            }
            if (!shell.HasExited)
            {
                shell.Kill();
            }
        }
    }

    private static bool Alive(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            return !stat.Contains(") Z ", StringComparison.Ordinal) && !stat.Contains(") X ", StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static int Pid(JsonElement e) => e.TryGetProperty("pid", out JsonElement pid) ? pid.GetInt32() : 0;
}
