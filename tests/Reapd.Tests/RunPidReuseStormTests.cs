using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Reapd.Testing;

namespace Reapd.Tests;

/// <summary>
/// A PID-reuse storm: the published reapd runs as the first process of a new PID namespace (with its own /proc) whose
/// pid_max is 1000, so pids are handed out from 300 to 999 and wrap every 700 forks (pid_max is per namespace on this
/// kernel: docs/kernel.md E.2). In its 1 GiB cgroup a hog of 700 MiB (protected by name) holds memory below the term
/// level of 40 % (with no grace: SIGKILL there), and tests/native/churn.c forks 40 000 children, up to 300 at once, that live
/// 1–4 ms each at oom_score_adj 1000, so every choice falls on a churner that is about to exit and whose pid a newcomer
/// soon takes (about 300 of the 700 pids are in use at any time). The test hook REAPD_TEST_OPEN_DELAY_MS holds each
/// choice 300 ms before the victim's pidfd is opened: by then the victim is gone and its pid has been handed out again
/// (pids are handed out in turn, so a pid comes back after about 700 forks: 100 ms was enough at the 7,000 forks a second
/// of a quiet machine, but a loaded CI run forked 4,000 a second and met no reuse in 68 choices), and held by a newcomer at that instant in a good part of the choices; the storm itself is real. (The
/// cgroup is 1 GiB and the hog leaves about 300 MiB free because the churn's kernel memory, charged to the cgroup, grew
/// by 110 MiB and more in trials with less room, where the kernel's OOM killer then took churners: reapd cannot free
/// memory here, the hog being protected and every churner exiting on its own.) Every churner killed by a signal is recorded by its parent with its start
/// time, so a newcomer that got a signal meant for the previous owner of its pid would show.
/// </summary>
public sealed class RunPidReuseStormTests
{
    private const long MiB = 1L << 20;
    private const int PidMax = 1000;
    private const int Churners = 40_000;

    [Fact]
    public void When_pids_wrap_while_reapd_chooses_and_kills_no_newcomer_that_took_a_victims_pid_is_ever_signalled()
    {
        Root.Require();
        Assert.SkipUnless(File.Exists("/usr/bin/unshare"), "needs util-linux unshare");
        // Before 6.14 pid_max is one limit for the whole machine: writing it in the namespace would change the host's.
        Assert.SkipUnless(Environment.OSVersion.Version >= new Version(6, 14), $"pid_max is per PID namespace only since Linux 6.14 (this is {Environment.OSVersion.Version})");
        using TestCgroup cgroup = TestCgroup.Create(1024 * MiB, "pidstorm");
        long kernelKillsBefore = cgroup.KernelOomKills;
        string procs = Path.Combine(cgroup.Path, "cgroup.procs");
        string hog = NativeProgram.Build("hog");
        string churn = NativeProgram.Build("churn");
        string work = Directory.CreateTempSubdirectory("reapd-pidstorm.").FullName;
        string killedFile = Path.Combine(work, "killed");
        string churnOut = Path.Combine(work, "churn.out");
        string script =
            $"echo {PidMax} > /proc/sys/kernel/pid_max || exit 7; " +
            $"{hog} --mib 700 --adj 0 --cgroup-procs {procs} > /dev/null & " +
            $"{churn} --count {Churners} --parallel 300 --child-adj 1000 --child-name churnling --cgroup-procs {procs} --killed-file {killedFile} > {churnOut} & " +
            $"exec {PublishedReapd.BinaryPath} run --json --cgroup {cgroup.Path} --term-percent 40 --kill-percent 30 --grace 0s --protect {Comm(hog)} --protect {Comm(churn)}";
        var psi = new ProcessStartInfo("unshare") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string arg in new[] { "--pid", "--fork", "--mount-proc", "sh", "-c", script })
        {
            psi.ArgumentList.Add(arg);
        }
        psi.Environment["REAPD_TEST_OPEN_DELAY_MS"] = "300";
        using Process unshare = Process.Start(psi)!;
        var lines = new ConcurrentQueue<string>();
        var errors = new ConcurrentQueue<string>();
        var stdout = new Thread(() =>
        {
            while (unshare.StandardOutput.ReadLine() is string line)
            {
                lines.Enqueue(line);
            }
        })
        { IsBackground = true };
        var stderr = new Thread(() =>
        {
            while (unshare.StandardError.ReadLine() is string line)
            {
                errors.Enqueue(line);
            }
        })
        { IsBackground = true };
        stdout.Start();
        stderr.Start();
        int namespaceInit = 0;
        try
        {
            Assert.True(ProcFacts.WaitUntil(() => (namespaceInit = ChildOf(unshare.Id)) > 0), "unshare started no child");
            Assert.True(ProcFacts.WaitUntil(() => File.Exists(churnOut) && File.ReadAllText(churnOut).Contains(" done ", StringComparison.Ordinal), 300_000),
                $"the churn did not finish; stderr: {string.Join('\n', errors)}");
            _ = RunSignals.Send(namespaceInit, 15);
            Assert.True(unshare.WaitForExit(15_000), "reapd did not stop within 15 s of SIGTERM");
            unshare.WaitForExit();
            stdout.Join(5_000);
            stderr.Join(5_000);
            Assert.Equal(0, unshare.ExitCode);
        }
        finally
        {
            if (!unshare.HasExited && namespaceInit > 0)
            {
                // The namespace's first process: its end kills everything else in the namespace.
                _ = RunSignals.Send(namespaceInit, 9);
                unshare.WaitForExit(10_000);
            }
        }
        List<JsonElement> events = [.. lines.Where(l => l.StartsWith('{')).Select(l => JsonDocument.Parse(l).RootElement.Clone())];
        File.WriteAllLines(Path.Combine(work, "events"), lines);
        long kernelKills = cgroup.KernelOomKills - kernelKillsBefore;
        Assert.DoesNotContain(errors, l => l.Contains("Exception", StringComparison.Ordinal));

        // "churn <pid> done <N> exited <E> signalled <S> signals <list> wraps <W>"
        string[] done = File.ReadAllText(churnOut).Split('\n').Single(l => l.Contains(" done ", StringComparison.Ordinal)).Split(' ');
        int wraps = int.Parse(done[11], CultureInfo.InvariantCulture);
        int signalledChurners = int.Parse(done[7], CultureInfo.InvariantCulture);

        // Who reapd chose, exactly (pid and start time), and who was killed, exactly.
        var chosen = events.Where(e => Text(e, "event") == "choice")
            .Select(e => (e.GetProperty("pid").GetInt32(), e.GetProperty("start_ticks").GetUInt64())).ToHashSet();
        var killed = File.Exists(killedFile)
            ? File.ReadAllLines(killedFile).Select(l => l.Split(' ')).Select(w => (int.Parse(w[0], CultureInfo.InvariantCulture), ulong.Parse(w[1], CultureInfo.InvariantCulture))).ToList()
            : [];
        int newcomersSignalled = killed.Count(k => !chosen.Contains(k));
        List<JsonElement> signals = [.. events.Where(e => Text(e, "event") == "signal")];
        int reused = signals.Count(e => Text(e, "result") == "PidReused");
        int sent = signals.Count(e => Text(e, "result") == "Sent");
        int gone = signals.Count(e => Text(e, "result") == "Gone");
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"pid_max {PidMax} in the namespace, {Churners} churners: {wraps} pid wraps; {chosen.Count} choices; signals Sent {sent}, PidReused {reused}, Gone {gone}; churners killed {killed.Count} (all chosen: {newcomersSignalled == 0}); newcomers signalled {newcomersSignalled}; kernel OOM kills {kernelKills}");

        Assert.Equal(0, kernelKills);
        Assert.Equal(0, newcomersSignalled);
        Assert.Equal(killed.Count, signalledChurners);
        Assert.True(wraps >= 40, $"only {wraps} pid wraps");
        Assert.True(chosen.Count >= 10, $"only {chosen.Count} choices");
        // The window was met: a victim's pid was reused before its pidfd was opened, and reapd refused to signal it.
        Assert.True(reused >= 1, $"no choice met its pid reused (Sent {sent}, Gone {gone})");
        Assert.All(signals, e => Assert.Contains(Text(e, "result"), new[] { "Sent", "PidReused", "Gone" }));
        // A kill can come while the reaper thread is still on the previous victim (its EAGAIN retries on a churner that
        // exits by itself): that reap is skipped with a `warning what=reap`, and the exit frees the memory. Nothing else.
        Assert.DoesNotContain(events, e => Text(e, "event") == "warning" && Text(e, "what") != "reap");
        Directory.Delete(work, recursive: true);
    }

    /// <summary>The process name (comm) a program gets from its file name: at most 15 bytes.</summary>
    private static string Comm(string program)
    {
        string name = Path.GetFileName(program);
        return name.Length > 15 ? name[..15] : name;
    }

    private static int ChildOf(int pid)
    {
        try
        {
            string children = File.ReadAllText($"/proc/{pid}/task/{pid}/children").Trim();
            return children.Length == 0 ? 0 : int.Parse(children.Split(' ')[0], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private static string Text(JsonElement e, string key) => e.TryGetProperty(key, out JsonElement p) ? p.ToString() : "";
}
