using System.Text.Json;
using Reapd.Testing;

namespace Reapd.Tests;

/// <summary>
/// `reapd run --record` during a real emergency (the published binary guarding a child memory cgroup with a hog at
/// oom_score_adj 1000, as the other daemon tests do), then `reapd replay` on the file: the same decisions with the
/// recorded configuration, and the first divergence with other levels. Root and the cgroup v1 memory controller.
/// </summary>
public sealed class RunRecordReplayTests
{
    private const long MiB = 1L << 20;

    [Fact]
    public void A_recorded_emergency_replays_to_the_same_decisions_and_a_lower_kill_level_is_reported_where_it_diverges()
    {
        using TestCgroup cgroup = TestCgroup.Create(512 * MiB, "record");
        string directory = Directory.CreateTempSubdirectory("reapd-record.").FullName;
        try
        {
            string file = Path.Combine(directory, "emergency.rec");
            int hogPid;
            List<(int Pid, string Signal)> signalled;
            using (RunDaemon daemon = RunDaemon.Start("--cgroup", cgroup.Path, "--record", file))
            {
                using HelperProcess hog = RunHogs.Start(cgroup, 1024, rateMiBPerSecond: 1024);
                hogPid = hog.Pid;
                daemon.WaitFor("settle", e => Pid(e) == hog.Pid);
                Assert.True(hog.WaitForExit(10_000), "the hog is still alive");
                daemon.StopCleanly();
                signalled = [.. daemon.Named("signal").Select(e => (Pid(e), e.GetProperty("signal").GetString()!))];
                Assert.DoesNotContain(daemon.Named("warning"), e => e.GetProperty("what").GetString() == "record");
            }
            Assert.True(new FileInfo(file).Length > 0);

            (int code, string stdout, string stderr) = ReapdBinary.Run("replay", file);

            Assert.True(code == 0, $"exit {code}\n{stdout}\n{stderr}");
            Assert.Contains("configuration: as recorded", stdout, StringComparison.Ordinal);
            Assert.Contains("the same decisions as recorded", stdout, StringComparison.Ordinal);
            // The replayed core signalled exactly whom the daemon signalled, in the same order.
            List<(int, string)> replayedSignals = [.. stdout.Split('\n')
                .Where(line => line.Contains("  signal pid=", StringComparison.Ordinal))
                .Select(line => (int.Parse(Field(line, "pid"), System.Globalization.CultureInfo.InvariantCulture), line.TrimEnd().Split(' ')[^1]))];
            Assert.Equal(signalled, replayedSignals);
            Assert.Contains((hogPid, "SIGKILL"), replayedSignals);
            Assert.Contains($"settled pid={hogPid}", stdout, StringComparison.Ordinal);

            // At a 1 % kill level (term 2 %) the recorded trigger is a quiet sample.
            (code, stdout, stderr) = ReapdBinary.Run("replay", file, "--term-percent", "2", "--kill-percent", "1");

            Assert.True(code == 9, $"exit {code}\n{stdout}\n{stderr}");
            Assert.Contains("configuration: as recorded except term level 10% -> 2%, kill level 5% -> 1%", stdout, StringComparison.Ordinal);
            string[] lines = stdout.Split('\n');
            string diverges = lines.Single(l => l.StartsWith("replay: diverges at +", StringComparison.Ordinal));
            Assert.Contains("(sample available=", diverges, StringComparison.Ordinal);
            Assert.StartsWith("  recorded: trigger decision=", lines.Single(l => l.StartsWith("  recorded: ", StringComparison.Ordinal)), StringComparison.Ordinal);
            Assert.Equal("  replayed: nothing", lines.Single(l => l.StartsWith("  replayed: ", StringComparison.Ordinal)));
            Assert.Empty(stderr);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void A_cut_or_corrupt_recording_is_one_line_and_exit_code_8_and_a_missing_one_exit_code_4()
    {
        using TestCgroup cgroup = TestCgroup.Create(64 * MiB, "recordq");
        string directory = Directory.CreateTempSubdirectory("reapd-record.").FullName;
        try
        {
            string file = Path.Combine(directory, "quiet.rec");
            using (RunDaemon daemon = RunDaemon.Start("--cgroup", cgroup.Path, "--record", file))
            {
                daemon.StopCleanly();
            }
            byte[] good = File.ReadAllBytes(file);
            Assert.Equal(0, ReapdBinary.Run("replay", file).Code);

            string cut = Path.Combine(directory, "cut.rec");
            File.WriteAllBytes(cut, good[..^1]);
            (int code, string stdout, string stderr) = ReapdBinary.Run("replay", cut);
            Assert.Equal(8, code);
            Assert.Empty(stdout);
            Assert.Matches($"^reapd replay: {System.Text.RegularExpressions.Regex.Escape(cut)}: truncated at byte [0-9]+: the last record is cut short .*\n$", stderr);

            string other = Path.Combine(directory, "other.rec");
            File.WriteAllText(other, "not a recording\n");
            (code, _, stderr) = ReapdBinary.Run("replay", other);
            Assert.Equal(8, code);
            Assert.Equal($"reapd replay: {other}: not a reapd recording (it does not start with REAPDREC)\n", stderr);

            (code, _, stderr) = ReapdBinary.Run("replay", Path.Combine(directory, "missing.rec"));
            Assert.Equal(4, code);
            Assert.Single(stderr.TrimEnd('\n').Split('\n'));

            (code, _, stderr) = ReapdBinary.Run("run", "--record", Path.Combine(directory, "no-such-dir", "x.rec"));
            Assert.Equal(2, code);
            Assert.Contains("--record", stderr, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static int Pid(JsonElement e) => e.TryGetProperty("pid", out JsonElement pid) ? pid.GetInt32() : -1;

    private static string Field(string line, string name)
    {
        int at = line.IndexOf(name + "=", StringComparison.Ordinal) + name.Length + 1;
        int end = line.IndexOf(' ', at);
        return end < 0 ? line[at..] : line[at..end];
    }
}
