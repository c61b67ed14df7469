using System.Globalization;
using System.Text.Json;
using Reapd.Testing;

namespace Reapd.Tests;

/// <summary>
/// A restart while a victim is in flight (docs/reliability.md, "Signals and restarts"): the new instance adopts the
/// victim the old one left in its state file instead of choosing a second one; a stale or foreign file is ignored, said
/// and removed. Real daemons (the published binary), a real hog in a child v1 memory cgroup, a real state directory.
/// </summary>
public sealed class RunRestartTests
{
    private const long MiB = 1L << 20;

    [Fact]
    public void A_reapd_started_while_its_predecessors_victim_is_in_its_grace_adopts_it_and_chooses_nobody_else()
    {
        using Scene scene = new(512 * MiB, "restart", "--grace", "8s");
        string stateFile = scene.StateFile;
        using RunDaemon first = RunDaemon.Start(scene.Args);
        // Below the term level (51.2 MiB available) and above the kill level: a SIGTERM, then an 8 s grace.
        using HelperProcess hog = RunHogs.Start(scene.Cgroup, 465);
        hog.WaitForLine("ready");
        first.WaitFor("signal", e => e.GetProperty("pid").GetInt32() == hog.Pid && e.GetProperty("signal").GetString() == "SIGTERM");
        Assert.True(ProcFacts.WaitUntil(() => File.Exists(stateFile)), "no state file after the SIGTERM");
        string written = File.ReadAllText(stateFile);
        Assert.Contains($"pid={hog.Pid}\n", written);
        Assert.Contains("phase=terminating\n", written);

        // The first instance dies in the grace, as a crash would: no stop event, the file stays.
        Crash(first);
        Assert.True(File.Exists(stateFile));

        using RunDaemon second = RunDaemon.Start(scene.Args);
        string state = second.Named("start")[0].GetProperty("state").GetString()!;
        Assert.Contains($"adopted pid {hog.Pid} (SIGTERMed", state);
        // The grace runs on from the first SIGTERM and ends in the SIGKILL of the same victim; nobody is chosen.
        second.WaitFor("signal", e => e.GetProperty("pid").GetInt32() == hog.Pid && e.GetProperty("signal").GetString() == "SIGKILL"
            && e.GetProperty("result").GetString() == "Sent");
        JsonElement settle = second.WaitFor("settle", e => e.GetProperty("pid").GetInt32() == hog.Pid);
        Assert.True(hog.WaitForExit(10_000), "the adopted victim is still alive");
        Assert.Empty(second.Named("choice"));
        Assert.True(ProcFacts.WaitUntil(() => !File.Exists(stateFile)), "the state file is still there after the settle");
        TestContext.Current.TestOutputHelper?.WriteLine($"{state}; settle {settle.GetRawText()}");
        second.StopCleanly();
    }

    [Fact]
    public void A_reapd_started_in_the_grace_of_a_victim_with_an_mm_sharer_adopts_the_sharer_too_and_kills_both()
    {
        using Scene scene = new(512 * MiB, "restartsharer", "--grace", "8s");
        string stateFile = scene.StateFile;
        // Two processes on one 300 MiB mm (clone(CLONE_VM)), both ignoring SIGTERM.
        using HelperProcess pair = scene.StartSharedMm(out int parent, out int child, "--mib", "300", "--ignore-term");
        using RunDaemon first = RunDaemon.Start(scene.Args);
        // 300 + 170 MiB of 512: below the term level (51.2 MiB available), above the kill level.
        using HelperProcess hog = RunHogs.Start(scene.Cgroup, 170);
        JsonElement term = first.WaitFor("signal", e => e.GetProperty("signal").GetString() == "SIGTERM");
        int victim = term.GetProperty("pid").GetInt32();
        Assert.Contains(victim, new[] { parent, child });
        int sharer = victim == parent ? child : parent;
        Assert.True(ProcFacts.WaitUntil(() => File.Exists(stateFile)), "no state file after the SIGTERM");
        // The sharer the SIGTERM's search found is listed with the victim, and with the shared mm's layout.
        Assert.Matches($"\nsharer={sharer} {ProcFacts.StartTime(sharer)} [0-9]+ [0-9]+ [0-9]+ [0-9]+\n", File.ReadAllText(stateFile));

        Crash(first);

        using RunDaemon second = RunDaemon.Start(scene.Args);
        string state = second.Named("start")[0].GetProperty("state").GetString()!;
        Assert.Contains($"adopted pid {victim} (SIGTERMed", state);
        Assert.Contains("1 of 1 sharers", state);
        // The escalation SIGKILLs the adopted sharer with the victim, so the shared mm really goes.
        JsonElement kill = second.WaitFor("signal", e => e.GetProperty("pid").GetInt32() == victim && e.GetProperty("signal").GetString() == "SIGKILL");
        Assert.Equal("Sent", kill.GetProperty("result").GetString());
        Assert.Contains(kill.GetProperty("sharers").EnumerateArray(), s => s.GetProperty("pid").GetInt32() == sharer && s.GetProperty("result").GetString() == "Sent");
        second.WaitFor("settle", e => e.GetProperty("pid").GetInt32() == victim);
        Assert.True(ProcFacts.WaitUntil(() => Gone(sharer) && Gone(victim)), "the victim or its adopted sharer is still alive");
        Assert.Empty(second.Named("choice"));
        Assert.False(hog.HasExited, "a second process was killed");
        second.StopCleanly();
    }

    [Fact]
    public void A_sharer_that_execd_after_the_SIGTERM_is_neither_adopted_nor_signalled_by_the_next_reapd()
    {
        using Scene scene = new(512 * MiB, "restartexec", "--grace", "8s");
        string stateFile = scene.StateFile;
        // Two processes on one 470 MiB mm (of 512: below the term level, above the kill level), both ignoring
        // SIGTERM; SIGUSR1 makes one exit, SIGUSR2 makes one exec. The child is to be the victim (the desktop rules
        // prefer a "Web Content"): once it exits it stays a zombie (its parent never waits), a victim that is still
        // itself but holds no mm, so kcmp cannot vouch for its sharer at the adoption.
        using HelperProcess pair = scene.StartSharedMm(out int parent, out int child, "--mib", "470", "--ignore-term", "--usr-signals", "--sharer-name", "Web Content");
        using RunDaemon first = RunDaemon.Start(scene.Args);
        JsonElement term = first.WaitFor("signal", e => e.GetProperty("signal").GetString() == "SIGTERM");
        Assert.Equal(child, term.GetProperty("pid").GetInt32());
        Assert.True(ProcFacts.WaitUntil(() => File.Exists(stateFile)), "no state file after the SIGTERM");
        Assert.Contains($"\nsharer={parent} {ProcFacts.StartTime(parent)} ", File.ReadAllText(stateFile));
        Crash(first);

        // Between the two instances the victim exits (a zombie) and the sharer execs another program: same pid and
        // start time, but it shares nothing with the victim any more.
        Assert.Equal(0, RunSignals.Send(child, 10));
        Assert.True(ProcFacts.WaitUntil(() => Gone(child)), "the victim did not exit on SIGUSR1");
        Assert.Equal(0, RunSignals.Send(parent, 12));
        Assert.True(ProcFacts.WaitUntil(() => Comm(parent) == "sleep"), "the sharer did not exec");

        using RunDaemon second = RunDaemon.Start(scene.Args);
        string state = second.Named("start")[0].GetProperty("state").GetString()!;
        Assert.Contains($"adopted pid {child} (SIGTERMed", state);
        Assert.Contains("0 of 1 sharers", state);
        second.WaitFor("settle", e => e.GetProperty("pid").GetInt32() == child);
        Assert.DoesNotContain(second.Named("signal"), e => e.GetProperty("pid").GetInt32() == parent
            || (e.TryGetProperty("sharers", out JsonElement sharers) && sharers.EnumerateArray().Any(s => s.GetProperty("pid").GetInt32() == parent)));
        Assert.False(Gone(parent), "the exec'd former sharer was killed");
        Assert.Equal("sleep", Comm(parent));
        Assert.Empty(second.Named("choice"));
        Assert.Equal(0, second.Stop());
    }

    [Fact]
    public void An_adopted_sharer_of_a_victim_without_its_mm_is_signalled_only_with_its_recorded_layout_and_no_exclusion()
    {
        using Scene scene = new(256 * MiB, "adoptsharer");
        string stateFile = scene.StateFile;
        string[] args = scene.Args;
        string bootId = BootId();
        string scope = scene.Probe();
        using HelperProcess pair = scene.StartSharedMm(out int parent, out int child, "--mib", "8", "--usr-signals");
        // The shared mm's layout (stat fields 28, 47, 48, 50), as a search would have recorded it.
        string[] stat = File.ReadAllText($"/proc/{parent}/stat").Split(") ")[1].Split(' ');
        string layout = string.Join(' ', stat[28 - 3], stat[47 - 3], stat[48 - 3], stat[50 - 3]);
        // The victim (the child) exits and stays a zombie: it holds no mm, kcmp cannot compare with it.
        Assert.Equal(0, RunSignals.Send(child, 10));
        Assert.True(ProcFacts.WaitUntil(() => Gone(child)), "the victim did not exit on SIGUSR1");
        string victim = Victim(bootId, scope, child, ProcFacts.StartTime(child), "terminating");
        string sharer = $"sharer={parent} {ProcFacts.StartTime(parent)}";

        // A protected name covers the sharer: this instance's exclusions apply to what it adopts.
        // A file without the layout (an older reapd's): nothing proves the sharer still shares the mm.
        foreach ((string line, string[] extra) in new[] { ($"{sharer} {layout}\n", new[] { "--protect", Comm(parent)! }), ($"{sharer}\n", []) })
        {
            File.WriteAllText(stateFile, victim + line);
            using RunDaemon refused = RunDaemon.Start([.. args, .. extra]);
            string state = refused.Named("start")[0].GetProperty("state").GetString()!;
            Assert.True(state.Contains($"adopted pid {child} (SIGTERMed", StringComparison.Ordinal) && state.Contains("0 of 1 sharers", StringComparison.Ordinal),
                $"{state} (file: {line.TrimEnd()}, options: {string.Join(' ', extra)})");
            refused.WaitFor("settle", e => e.GetProperty("pid").GetInt32() == child);
            Assert.Equal(0, refused.Stop());
            Assert.False(Gone(parent), $"the sharer was killed ({line.TrimEnd()} {string.Join(' ', extra)})");
        }

        // The recorded layout still matches and nothing excludes it: it is the victim's sharer, killed at the escalation.
        File.WriteAllText(stateFile, victim + $"{sharer} {layout}\n");
        using RunDaemon adopting = RunDaemon.Start(args);
        Assert.Contains("1 of 1 sharers", adopting.Named("start")[0].GetProperty("state").GetString());
        adopting.WaitFor("settle", e => e.GetProperty("pid").GetInt32() == child);
        Assert.True(ProcFacts.WaitUntil(() => Gone(parent)), "the adopted sharer still lives");
        Assert.Equal(0, adopting.Stop());
    }

    /// <summary>A child memory cgroup and a temporary state directory for one test, both removed at its end.</summary>
    private sealed class Scene : IDisposable
    {
        public Scene(long limitBytes, string name, params string[] options)
        {
            Cgroup = TestCgroup.Create(limitBytes, name);
            try
            {
                StateDir = Directory.CreateTempSubdirectory("reapd-state-").FullName;
            }
            catch
            {
                Cgroup.Dispose();
                throw;
            }
            Args = ["--cgroup", Cgroup.Path, "--state-dir", StateDir, .. options];
        }

        public TestCgroup Cgroup { get; }

        public string StateDir { get; }

        public string StateFile => Path.Combine(StateDir, "victim");

        /// <summary>The options every reapd of the test runs with.</summary>
        public string[] Args { get; }

        /// <summary>Starts and stops one reapd: the scope it names (what a state file must carry), its state file checked.</summary>
        public string Probe()
        {
            using RunDaemon probe = RunDaemon.Start(Args);
            JsonElement start = probe.Named("start")[0];
            Assert.Equal(StateFile, start.GetProperty("state").GetString());
            probe.StopCleanly();
            return start.GetProperty("scope").GetString()!;
        }

        /// <summary>Two processes on one mm (clone(CLONE_VM)) in the cgroup, ready.</summary>
        public HelperProcess StartSharedMm(out int parent, out int child, params string[] options)
        {
            var pair = HelperProcess.Start("clone_vm", ["--cgroup-procs", Path.Combine(Cgroup.Path, "cgroup.procs"), .. options]);
            try
            {
                string[] words = pair.WaitForLine(" ready ").Split(' ', StringSplitOptions.RemoveEmptyEntries);
                parent = int.Parse(words[1], CultureInfo.InvariantCulture);
                child = int.Parse(words[3], CultureInfo.InvariantCulture);
                return pair;
            }
            catch
            {
                pair.Dispose();
                throw;
            }
        }

        public void Dispose()
        {
            try
            {
                Directory.Delete(StateDir, recursive: true);
            }
            finally
            {
                Cgroup.Dispose();
            }
        }
    }

    /// <summary>The first instance dies as a crash would (SIGKILL): no stop event, its state file stays.</summary>
    private static void Crash(RunDaemon first)
    {
        Assert.Equal(0, RunSignals.Send(first.Pid, 9));
        Assert.True(ProcFacts.WaitUntil(() => Gone(first.Pid)), "the first reapd did not die");
    }

    private static string BootId() => File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim();

    private static string? Comm(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/comm").TrimEnd('\n');
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static bool Gone(int pid)
    {
        try
        {
            return File.ReadAllText($"/proc/{pid}/stat").Contains(") Z ", StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return true;
        }
    }

    [Fact]
    public void A_state_file_from_another_boot_or_naming_a_reused_pid_is_ignored_said_and_removed()
    {
        using Scene scene = new(256 * MiB, "stale");
        string stateFile = scene.StateFile;
        string[] args = scene.Args;
        string bootId = BootId();
        string scope = scene.Probe();

        File.WriteAllText(stateFile, Victim("00000000-0000-0000-0000-000000000000", scope, Environment.ProcessId, 1, "killed"));
        using (RunDaemon otherBoot = RunDaemon.Start(args))
        {
            Assert.Contains("ignored: written on another boot", otherBoot.Named("start")[0].GetProperty("state").GetString());
            Assert.False(File.Exists(stateFile));
            otherBoot.StopCleanly();
        }

        // This test process is alive, but it started at another tick than the one the file names: a reused pid.
        File.WriteAllText(stateFile, Victim(bootId, scope, Environment.ProcessId, 1, "killed"));
        using (RunDaemon reused = RunDaemon.Start(args))
        {
            Assert.Contains($"ignored: pid {Environment.ProcessId} is no longer the victim it names (PidReused)",
                reused.Named("start")[0].GetProperty("state").GetString());
            Assert.False(File.Exists(stateFile));
            Assert.Empty(reused.Named("signal"));
            reused.StopCleanly();
        }
    }

    private static string Victim(string bootId, string scope, int pid, ulong startTime, string phase) => string.Create(CultureInfo.InvariantCulture,
        $"reapd-victim 1\nboot_id={bootId}\nscope={scope}\nwritten_by=1\npid={pid}\nstart_time={startTime}\nsignalled_mono_ms=0\nheld_bytes=0\nphase={phase}\n");
}
