using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Reapd.Daemon;
using Reapd.Testing;

namespace Reapd.Tests;

/// <summary>
/// The daemon whose stdout is a full pipe nobody reads (a stalled journald looks the same to it): it still samples,
/// decides and kills a hog past its cgroup limit before the kernel's OOM killer would, and its events come out once
/// someone reads. Real pipes, a real child v1 memory cgroup, a real hog (oom_score_adj 1000).
/// </summary>
public sealed class RunBlockedStdoutTests
{
    private const long MiB = 1L << 20;

    [Fact]
    public void The_loop_kills_a_hog_while_stdout_is_a_full_pipe_and_reports_the_lines_it_dropped_once_the_pipe_is_read()
    {
        using TestCgroup cgroup = TestCgroup.Create(512 * MiB, "blocked");
        long kernelKillsBefore = cgroup.KernelOomKills;
        using TestPipe pipe = TestPipe.Create();
        pipe.Fill();
        // A 3 KiB ring holds the start line (over 2 KiB since the thrash and PSI-read fields) and a few more: most of
        // this emergency's lines are dropped while nobody reads.
        using EventWriter writer = EventWriter.TryStart(pipe.Writer, json: true, journal: false, out int errno, capacityBytes: 3072)
            ?? throw new InvalidOperationException($"eventfd: {errno}");
        RunOptions options = RunOptionsParser.TryParse(["--cgroup", cgroup.Path, "--json"], out string? error) ?? throw new InvalidOperationException(error);
        using DaemonLoop guard = DaemonLoop.TryCreate(options, new EventLog(writer), out error, out _) ?? throw new InvalidOperationException(error);
        // Not protectSelf: mlockall would lock the whole test host.
        guard.Start(protectSelf: false);
        int exitCode = -1;
        var loop = new Thread(() => exitCode = guard.Loop()) { IsBackground = true, Name = "test loop" };
        loop.Start();
        try
        {
            Emergency();
        }
        finally
        {
            // Whatever failed, the loop stops before `guard` is disposed under it (else it crashes the test host).
            if (loop.IsAlive)
            {
                guard.RequestStop("test");
                _ = loop.Join(10_000);
            }
        }

        void Emergency()
        {
        // 1 GiB at up to 64 MiB/s into 512 MiB, ignoring SIGTERM: only a SIGKILL from the loop stops it before the
        // kernel's OOM killer, about 800 ms after the term level. (At 1 GiB/s the loop, here in the Debug test host and
        // not locked or raised in priority, lost that race to the memcg OOM killer in some loaded CI runs, and 256 MiB/s
        // left it 200 ms; what this test is about is the full pipe.)
        using HelperProcess hog = RunHogs.Start(cgroup, 1024, rateMiBPerSecond: 64);
        Assert.True(hog.WaitForExit(30_000), "the hog is still alive: the loop did not act while stdout was blocked");
        Assert.Equal(kernelKillsBefore, cgroup.KernelOomKills);
        Assert.True(ProcFacts.WaitUntil(() => cgroup.UsageBytes < 128 * MiB), $"usage {cgroup.UsageBytes / MiB} MiB after the kill");
        Assert.True(ProcFacts.WaitUntil(() => writer.DroppedTotal > 0), "nothing was dropped: the pipe was not full");
        Assert.Equal(0, writer.LinesWritten);

        LineReader reader = LineReader.Start(pipe.Reader);
        Assert.True(ProcFacts.WaitUntil(() => reader.Lines.Any(l => l.Contains("\"event\":\"events-dropped\"", StringComparison.Ordinal))),
            "no events-dropped line once the pipe was read");
        guard.RequestStop("test");
        Assert.True(loop.Join(10_000), "the loop did not stop");
        Assert.Equal(0, exitCode);
        Assert.True(writer.Stop(10_000), "the writer did not drain");
        pipe.Writer.Dispose();
        Assert.True(reader.WaitForEnd(10_000));

        List<JsonElement> events = [.. reader.Lines.Skip(1).Select(l => JsonDocument.Parse(l).RootElement.Clone())];
        Assert.Equal("start", Name(events[0]));
        long announced = events.Where(e => Name(e) == "events-dropped").Sum(e => e.GetProperty("dropped").GetInt64());
        JsonElement stop = events[^1];
        Assert.Equal("stop", Name(stop));
        Assert.Equal(1, stop.GetProperty("sigkills").GetInt32());
        Assert.Equal(writer.DroppedTotal, stop.GetProperty("events_dropped").GetInt64());
        Assert.Equal(writer.DroppedTotal, announced);
        }
    }

    [Fact]
    public void The_published_daemon_with_stdout_a_full_pipe_kills_a_hog_and_writes_every_event_in_order_once_read()
    {
        using TestCgroup cgroup = TestCgroup.Create(512 * MiB, "blocked-bin");
        long kernelKillsBefore = cgroup.KernelOomKills;
        using TestFifo fifo = TestFifo.CreateFull();
        var psi = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string arg in new[] { "-c", "exec \"$0\" run --cgroup \"$1\" --json > \"$2\"", PublishedReapd.BinaryPath, cgroup.Path, fifo.Path })
        {
            psi.ArgumentList.Add(arg);
        }
        using var daemon = Process.Start(psi)!;
        try
        {
            // Nothing can be read to see it start: it has locked its memory once warm, right before the start event.
            Assert.True(ProcFacts.WaitUntil(() => LockedKiB(daemon.Id) > 0, 30_000), "reapd did not lock its memory");

            using HelperProcess hog = RunHogs.Start(cgroup, 1024, rateMiBPerSecond: 1024);
            Assert.True(hog.WaitForExit(30_000), "the hog is still alive: reapd did not act while its stdout was blocked");
            Assert.Equal(kernelKillsBefore, cgroup.KernelOomKills);
            Assert.True(ProcFacts.WaitUntil(() => cgroup.UsageBytes < 128 * MiB), $"usage {cgroup.UsageBytes / MiB} MiB after the kill");

            LineReader reader = LineReader.Start(fifo.Reader);
            Assert.True(ProcFacts.WaitUntil(() => reader.Lines.Any(l => l.Contains("\"event\":\"settle\"", StringComparison.Ordinal))),
                $"no settle event once the pipe was read: {string.Join('\n', reader.Lines.Skip(1))}");
            _ = RunSignals.Send(daemon.Id, 15);
            Assert.True(daemon.WaitForExit(15_000), "reapd did not stop within 15 s of SIGTERM");
            Assert.Equal(0, daemon.ExitCode);
            Assert.True(reader.WaitForEnd(10_000), "no end of file after reapd exited");

            List<string> seen = reader.Lines;
            Assert.Equal(new string('x', fifo.CapacityBytes - 1), seen[0]);
            List<JsonElement> events = [.. seen.Skip(1).Select(l => JsonDocument.Parse(l).RootElement.Clone())];
            // Everything, in the order it happened: the emergency's steps in protocol order, mono_ms never going back.
            Assert.Equal("start", Name(events[0]));
            Assert.Equal("stop", Name(events[^1]));
            Assert.Equal(0, events[^1].GetProperty("events_dropped").GetInt64());
            Assert.DoesNotContain(events, e => Name(e) == "events-dropped");
            List<string> steps = [.. events.Select(e => Name(e)!).Where(n => n is "choice" or "signal" or "reap" or "settle")];
            // choice, then SIGTERM and SIGKILL (or SIGKILL alone if the kill level came first), reap, settle.
            Assert.Equal("choice", steps[0]);
            Assert.All(steps[1..^2], step => Assert.Equal("signal", step));
            Assert.InRange(steps.Count, 4, 5);
            Assert.Equal(["reap", "settle"], steps[^2..]);
            Assert.Equal(hog.Pid, events.Single(e => Name(e) == "reap").GetProperty("pid").GetInt32());
            for (int i = 1; i < events.Count; i++)
            {
                Assert.True(events[i].GetProperty("mono_ms").GetDouble() >= events[i - 1].GetProperty("mono_ms").GetDouble(), $"line {i} out of order");
            }
        }
        finally
        {
            if (!daemon.HasExited)
            {
                _ = RunSignals.Send(daemon.Id, 9);
                daemon.WaitForExit();
            }
        }
        // reapd writes nothing to stderr on a clean run (read once it has exited: it cannot block then).
        Assert.Equal("", daemon.StandardError.ReadToEnd());
    }

    private static string? Name(JsonElement e) => e.GetProperty("event").GetString();

    /// <summary>VmLck of /proc/PID/status in KiB (0 if absent or gone).</summary>
    private static long LockedKiB(int pid)
    {
        try
        {
            foreach (string line in File.ReadAllLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmLck:", StringComparison.Ordinal))
                {
                    return long.Parse(line[6..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
                }
            }
        }
        catch (IOException)
        {
        }
        return 0;
    }

}
