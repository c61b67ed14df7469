using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Reapd.Testing;

namespace Reapd.Tests;

/// <summary>
/// `reapd run --record` across a SIGHUP reload in the middle of an emergency and across a restart that adopts the
/// previous instance's victim, each replayed to the same decisions; and `reapd replay FILE --config OTHER` on a
/// recorded emergency, its output checked line by line. The published binary guards a child memory cgroup (cgroup v1)
/// with hogs at oom_score_adj 1000, as the other daemon tests; root and the v1 memory controller, else skipped.
/// </summary>
public sealed partial class RunRecordReloadReplayTests : IDisposable
{
    private const long MiB = 1L << 20;
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("reapd-record-reload.");

    [Fact]
    public void A_reload_in_the_grace_that_raises_the_kill_level_is_recorded_and_replays_to_the_same_decisions()
    {
        using TestCgroup cgroup = TestCgroup.Create(512 * MiB, "recreload");
        string config = Write("reapd.toml", "[memory]\nterm_percent = 10\nkill_percent = 5\n[kill]\ngrace = \"30s\"\n");
        string file = Path.Combine(_dir.FullName, "reload.rec");
        int hogPid;
        using (RunDaemon daemon = RunDaemon.Start("--cgroup", cgroup.Path, "--config", config, "--record", file))
        {
            // 465 MiB of 512: about 9 % available, below the term level and above the kill level. It ignores the
            // SIGTERM, and the grace (30 s) would hold the kill back far longer than this test waits.
            using HelperProcess hog = RunHogs.Start(cgroup, 465);
            hogPid = hog.Pid;
            hog.WaitForLine("ready");
            daemon.WaitFor("signal", e => e.GetProperty("pid").GetInt32() == hog.Pid && e.GetProperty("signal").GetString() == "SIGTERM");
            // The reload raises the kill level above what is available: the next cycle escalates to SIGKILL in the grace.
            Write("reapd.toml", "[memory]\nterm_percent = 20\nkill_percent = 15\n[kill]\ngrace = \"30s\"\n");
            Assert.Equal(0, RunSignals.Send(daemon.Pid, 1));
            daemon.WaitFor("reloaded", e => e.GetProperty("in_flight").GetBoolean());
            daemon.WaitFor("signal", e => e.GetProperty("pid").GetInt32() == hog.Pid && e.GetProperty("signal").GetString() == "SIGKILL");
            daemon.WaitFor("settle", e => e.GetProperty("pid").GetInt32() == hog.Pid);
            Assert.True(hog.WaitForExit(10_000), "the hog is still alive");
            daemon.StopCleanly();
            Assert.DoesNotContain(daemon.Named("warning"), e => e.GetProperty("what").GetString() == "record");
        }

        (int code, string stdout, string stderr) = ReapdBinary.Run("replay", file);
        TestContext.Current.TestOutputHelper?.WriteLine(stdout);

        Assert.True(code == 0, $"exit {code}\n{stdout}\n{stderr}");
        string[] lines = Lines(stdout);
        int reload = Array.FindIndex(lines, l => ReloadLine().IsMatch(l));
        Assert.True(reload > 0, stdout);
        Assert.Contains("reload: term_percent 10 -> 20, kill_percent 5 -> 15", lines[reload], StringComparison.Ordinal);
        int term = Array.FindIndex(lines, l => l.EndsWith($"signal pid={hogPid} start={StartOf(l)} SIGTERM", StringComparison.Ordinal));
        int kill = Array.FindIndex(lines, l => l.EndsWith($"signal pid={hogPid} start={StartOf(l)} SIGKILL", StringComparison.Ordinal));
        // In the file's order: the SIGTERM, the reload, the escalation under the new kill level, its SIGKILL.
        Assert.True(term >= 0 && term < reload && reload < kill, stdout);
        Assert.Contains(lines[(reload + 1)..kill], l => l.Contains("trigger decision=Escalate reason=KillLevelDuringGrace", StringComparison.Ordinal));
        Assert.EndsWith("the same decisions as recorded", lines[^1], StringComparison.Ordinal);

        // With --config the file's settings replace the recorded reload, and that is said.
        string start = Write("start.toml", "[memory]\nterm_percent = 10\nkill_percent = 5\n[kill]\ngrace = \"30s\"\n");
        (code, stdout, stderr) = ReapdBinary.Run("replay", file, "--config", start);
        Assert.True(code is 0 or 9, $"exit {code}\n{stdout}\n{stderr}");
        Assert.Contains($"reloads: the recording holds 1; {start} replaces them (they are not followed)", Lines(stdout));
        Assert.Empty(stderr);
    }

    [Fact]
    public void A_restart_that_adopts_the_victim_in_its_grace_is_recorded_and_replays_to_the_same_decisions()
    {
        using TestCgroup cgroup = TestCgroup.Create(512 * MiB, "recadopt");
        string stateDir = Directory.CreateDirectory(Path.Combine(_dir.FullName, "state")).FullName;
        string file = Path.Combine(_dir.FullName, "adopt.rec");
        string[] args = ["--cgroup", cgroup.Path, "--state-dir", stateDir, "--grace", "6s"];
        using RunDaemon first = RunDaemon.Start(args);
        using HelperProcess hog = RunHogs.Start(cgroup, 465);
        hog.WaitForLine("ready");
        first.WaitFor("signal", e => e.GetProperty("pid").GetInt32() == hog.Pid && e.GetProperty("signal").GetString() == "SIGTERM");
        Assert.True(ProcFacts.WaitUntil(() => File.Exists(Path.Combine(stateDir, "victim"))), "no state file after the SIGTERM");
        // The first instance dies in the grace, as a crash would; the second adopts its victim and records.
        Assert.Equal(0, RunSignals.Send(first.Pid, 9));
        Assert.True(ProcFacts.WaitUntil(() => !File.Exists($"/proc/{first.Pid}/stat") || File.ReadAllText($"/proc/{first.Pid}/stat").Contains(") Z ", StringComparison.Ordinal)));
        using (RunDaemon second = RunDaemon.Start([.. args, "--record", file]))
        {
            Assert.Contains($"adopted pid {hog.Pid} (SIGTERMed", second.Named("start")[0].GetProperty("state").GetString()!, StringComparison.Ordinal);
            second.WaitFor("settle", e => e.GetProperty("pid").GetInt32() == hog.Pid);
            Assert.True(hog.WaitForExit(10_000), "the adopted victim is still alive");
            Assert.Empty(second.Named("choice"));
            second.StopCleanly();
        }

        (int code, string stdout, string stderr) = ReapdBinary.Run("replay", file);
        TestContext.Current.TestOutputHelper?.WriteLine(stdout);

        Assert.True(code == 0, $"exit {code}\n{stdout}\n{stderr}");
        string[] lines = Lines(stdout);
        int adopted = Array.FindIndex(lines, l => Regex.IsMatch(l, $@"^\+[0-9.-]+s  adopted pid={hog.Pid} start=[0-9]+ \(SIGTERMed -[0-9.]+s, by the instance before\)$"));
        int kill = Array.FindIndex(lines, l => l.Contains($"  signal pid={hog.Pid} ", StringComparison.Ordinal) && l.EndsWith(" SIGKILL", StringComparison.Ordinal));
        Assert.True(adopted > 0 && kill > adopted, stdout);
        Assert.DoesNotContain(lines, l => l.Contains("  choice ", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains($"  settled pid={hog.Pid} ", StringComparison.Ordinal));
        Assert.EndsWith("the same decisions as recorded", lines[^1], StringComparison.Ordinal);
    }

    [Fact]
    public void Another_configuration_is_compared_point_by_point_a_lower_kill_line_and_a_rule_protecting_the_victim()
    {
        using TestCgroup cgroup = TestCgroup.Create(512 * MiB, "recconfig");
        string procs = Path.Combine(cgroup.Path, "cgroup.procs");
        // A small bystander next to the hog, each with a name of its own (its comm), which the recording keeps.
        using HelperProcess bystander = HelperProcess.Start("hog", ["--mib", "16", "--cgroup-procs", procs, "--name", "rec-bystander", "--ignore-term"]);
        bystander.WaitForLine(" ready ");
        string file = Path.Combine(_dir.FullName, "emergency.rec");
        int hogPid;
        using (RunDaemon daemon = RunDaemon.Start("--cgroup", cgroup.Path, "--record", file))
        {
            // A ramp slow enough that a SIGTERM at the term level comes before the SIGKILL at the kill level.
            using HelperProcess hog = HelperProcess.Start("hog", ["--mib", "1024", "--cgroup-procs", procs, "--name", "rec-hog", "--ignore-term", "--rate-mib-s", "256"]);
            hogPid = hog.Pid;
            daemon.WaitFor("settle", e => e.GetProperty("pid").GetInt32() == hog.Pid);
            Assert.True(hog.WaitForExit(10_000), "the hog is still alive");
            daemon.StopCleanly();
        }
        Assert.False(bystander.HasExited, "the bystander died in the recorded run");
        string header = $@"^recording {Regex.Escape(file)}: scope .+, kernel .+, boot .+, started .+, segment 0, reapd .+$";
        const string Time = @"\+[0-9]+\.[0-9]{3}s";
        string victim = $@"victims recorded: 1: pid {hogPid} \((SIGTERM {Time}, )?SIGKILL {Time}\)";

        // A kill line the hog's ramp never reaches before the recorded kill answered it: every recorded decision is
        // a difference the other file does not make, and it kills nobody (or, if the readings reach 1 % once the
        // recorded kill is taken out of them, it kills the hog later).
        string lower = Write("lower.toml", "[memory]\nterm_percent = 2\nkill_percent = 1\n");
        (int code, string stdout, string stderr) = ReapdBinary.Run("replay", file, "--config", lower);
        TestContext.Current.TestOutputHelper?.WriteLine(stdout);
        Assert.True(code == 9, $"exit {code}\n{stdout}\n{stderr}");
        Assert.Empty(stderr);
        string[] lines = Lines(stdout);
        Expect(lines,
        [
            header,
            $@"^configuration: {Regex.Escape(lower)} instead of the recorded one: term_percent 10 -> 2, kill_percent 5 -> 1$",
            "^note: processes the recorded configuration excluded are not in the recording: the other configuration cannot choose them here$",
            "^note: available memory after either side's kills is the recorded reading corrected by what the victims held; stall and swap readings are as recorded$",
        ], [
            $"^{victim}$",
            $@"^victims with lower\.toml: (none|1: pid {hogPid} \(.+\))$",
            @"^compare: [0-9]+ samples, [0-9]+ points? where the decisions differ$",
        ]);
        string firstRecorded = lines[4];
        Assert.Matches($"^{Time}  recorded: trigger decision=(Terminate|Kill) reason=[A-Za-z]+ level=(Term|Kill); choice pid={hogPid} index=0 excluded=[0-9]+ candidates=[0-9]+ held_mib=[0-9.]+; signal pid={hogPid} start=[0-9]+ SIG(TERM|KILL)$", firstRecorded);
        Assert.Matches("^ +  lower\\.toml: nothing$", lines[5]);
        Assert.Equal(firstRecorded.IndexOf("  recorded", StringComparison.Ordinal), lines[5].IndexOf("  lower.toml", StringComparison.Ordinal));
        Assert.Contains(lines, l => Regex.IsMatch(l, $"^{Time}  recorded: .*signal pid={hogPid} start=[0-9]+ SIGKILL$"));

        // A rule protecting the recorded victim by its name: the bystander is chosen instead, at the same reading.
        string protect = Write("protect.toml", "[[rule]]\nname = \"keep the hog\"\naction = \"protect\"\ncomm = \"rec-hog\"\n");
        (code, stdout, stderr) = ReapdBinary.Run("replay", file, "--config", protect);
        TestContext.Current.TestOutputHelper?.WriteLine(stdout);
        Assert.True(code == 9, $"exit {code}\n{stdout}\n{stderr}");
        lines = Lines(stdout);
        Expect(lines,
        [
            header,
            $@"^configuration: {Regex.Escape(protect)} instead of the recorded one: rules 0 -> 1$",
            "^note: processes the recorded configuration excluded are not in the recording: the other configuration cannot choose them here$",
            "^note: available memory after either side's kills is the recorded reading corrected by what the victims held; stall and swap readings are as recorded$",
        ], [
            $"^{victim}$",
            $@"^victims with protect\.toml: 1: pid {bystander.Pid} \(.+\)$",
            @"^compare: [0-9]+ samples, [0-9]+ points? where the decisions differ$",
        ]);
        // The same trigger at the same reading; then the recording chose and signalled the hog, the rule the bystander.
        Assert.Matches($"^{Time}  recorded: choice pid={hogPid} index=0 excluded=[0-9]+ candidates=2 held_mib=[0-9.]+; signal pid={hogPid} start=[0-9]+ SIG(TERM|KILL)$", lines[4]);
        Assert.Matches($"^ +  protect\\.toml: choice pid={bystander.Pid} index=0 excluded=[0-9]+ candidates=1 held_mib=[0-9.]+; signal pid={bystander.Pid} start=[0-9]+ SIG(TERM|KILL)$", lines[5]);

        // A protect rule on the command line cannot be evaluated on what the recording holds: said, not guessed.
        string byCmdline = Write("cmdline.toml", "[[rule]]\nname = \"java\"\naction = \"protect\"\ncmdline = \"java -jar\"\n");
        (code, stdout, _) = ReapdBinary.Run("replay", file, "--config", byCmdline);
        Assert.True(code == 0, $"exit {code}\n{stdout}");
        Assert.Contains("note: rule 'java' (protect) matches on cmdline, which the recording does not hold: it is not applied", Lines(stdout));
        Assert.Matches(@"^compare: [0-9]+ samples, the same decisions as recorded$", Lines(stdout)[^1]);

        // A file with a mistake: the reader's own problems, exit code 78, nothing replayed.
        string bad = Write("bad.toml", "[memory]\nkill_percent = 12\n[kill]\ngraec = \"1s\"\n");
        (code, stdout, stderr) = ReapdBinary.Run("replay", file, "--config", bad);
        Assert.Equal(78, code);
        Assert.Empty(stdout);
        Assert.Equal(
            $"{bad}:2:16: memory.kill_percent 12 is above memory.term_percent 10; expected at most the term level\n"
            + $"{bad}:4:1: unknown key 'graec' in [kill]; expected one of grace, settle_timeout, stuck_grace, shmem_exit_wait, reap_slow_report, scope, dry_run\n"
            + $"reapd replay: --config {bad}: 2 problems; nothing replayed\n", stderr);
    }

    /// <summary>The output's head and tail lines match these patterns exactly; every line between is a difference (two lines each).</summary>
    private static void Expect(string[] lines, string[] head, string[] tail)
    {
        string all = string.Join('\n', lines);
        Assert.True(lines.Length >= head.Length + tail.Length + 2, all);
        for (int i = 0; i < head.Length; i++)
        {
            Assert.True(Regex.IsMatch(lines[i], head[i]), $"line {i + 1} '{lines[i]}' does not match {head[i]}\n{all}");
        }
        for (int i = 0; i < tail.Length; i++)
        {
            string line = lines[lines.Length - tail.Length + i];
            Assert.True(Regex.IsMatch(line, tail[i]), $"line '{line}' does not match {tail[i]}\n{all}");
        }
        string[] middle = lines[head.Length..^tail.Length];
        Assert.True(middle.Length % 2 == 0, all);
        for (int i = 0; i < middle.Length; i += 2)
        {
            Assert.Matches(@"^\+[0-9]+\.[0-9]{3}s  recorded: .+$", middle[i]);
            Assert.Matches(@"^ +  [a-z]+\.toml: .+$", middle[i + 1]);
        }
        int differences = int.Parse(Regex.Match(lines[^1], "([0-9]+) points? where").Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.Equal(middle.Length / 2, differences);
    }

    private static string StartOf(string line) => Regex.Match(line, "start=([0-9]+)").Groups[1].Value;

    private static string[] Lines(string text) => text.TrimEnd('\n').Split('\n');

    private string Write(string name, string text)
    {
        string path = Path.Combine(_dir.FullName, name);
        // Written aside and renamed in, as an editor does: a reload never reads half a file.
        File.WriteAllText(path + ".new", text);
        File.Move(path + ".new", path, overwrite: true);
        return path;
    }

    [GeneratedRegex(@"^\+[0-9]+\.[0-9]{3}s  reload: ")]
    private static partial Regex ReloadLine();

    public void Dispose() => _dir.Delete(recursive: true);
}
