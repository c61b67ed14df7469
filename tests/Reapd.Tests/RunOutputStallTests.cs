using System.Globalization;
using Reapd.Daemon;
using Reapd.Metrics;
using Reapd.Testing;

namespace Reapd.Tests;

/// <summary>
/// Output stalls (docs/reliability.md): with stdout a full pipe nobody reads, the loop goes on cycling — its wake-up
/// counters keep rising while nothing can be written — kills, and the lines it drops are counted in the metrics exactly
/// as the writer counted them.
/// </summary>
public sealed class RunOutputStallTests
{
    private const long MiB = 1L << 20;

    [Fact]
    public void With_stdout_a_full_pipe_the_loop_keeps_cycling_kills_and_counts_the_dropped_lines_in_its_metrics()
    {
        using TestCgroup cgroup = TestCgroup.Create(512 * MiB, "stall");
        using TestPipe pipe = TestPipe.Create();
        pipe.Fill();
        using EventWriter writer = EventWriter.TryStart(pipe.Writer, json: true, journal: false, out int errno, capacityBytes: 2048)
            ?? throw new InvalidOperationException($"eventfd: {errno}");
        RunOptions options = RunOptionsParser.TryParse(["--cgroup", cgroup.Path, "--json"], out string? error) ?? throw new InvalidOperationException(error);
        using DaemonLoop guard = DaemonLoop.TryCreate(options, new EventLog(writer), out error, out _) ?? throw new InvalidOperationException(error);
        guard.Start(protectSelf: false); // mlockall would lock the whole test host
        var loop = new Thread(() => guard.Loop()) { IsBackground = true, Name = "test loop" };
        loop.Start();
        try
        {
            // 64 MiB/s: from the term level to the limit takes about 800 ms. The loop runs here in the Debug test host,
            // not locked and not raised in priority, so a collection or a busy shared machine can hold it for a while; at
            // 1 GiB/s (50 ms) the kernel's OOM killer sometimes took the hog first, and nothing was measured. What this
            // test is about is the full pipe, not the speed.
            long kernelKillsBefore = cgroup.KernelOomKills;
            using HelperProcess hog = RunHogs.Start(cgroup, 1024, rateMiBPerSecond: 64);
            Assert.True(hog.WaitForExit(30_000), "the hog is still alive: the loop did not act while stdout was blocked");
            Assert.True(kernelKillsBefore == cgroup.KernelOomKills, "the kernel's OOM killer took the hog before the loop did");
            Assert.Equal(0, writer.LinesWritten);

            var renderer = new MetricsRenderer(guard.Metrics);
            long wakeupsAfterKill = Sum(renderer.Render(), "reapd_wakeups_total{");
            Assert.True(ProcFacts.WaitUntil(() => Sum(renderer.Render(), "reapd_wakeups_total{") > wakeupsAfterKill + 2),
                "the loop stopped cycling while stdout was blocked");
            Assert.Equal(0, writer.LinesWritten);
            // The reap and the settle add their lines to a ring that cannot drain: some are dropped.
            Assert.True(ProcFacts.WaitUntil(() => writer.DroppedTotal > 0), "nothing was dropped: the pipe was not full");
            Assert.True(ProcFacts.WaitUntil(() => Sum(renderer.Render(), "reapd_events_dropped_total ") == writer.DroppedTotal),
                $"metrics say {Sum(renderer.Render(), "reapd_events_dropped_total ")} dropped, the writer {writer.DroppedTotal}");
            Assert.Equal(1, Sum(renderer.Render(), "reapd_kills_total{signal=\"SIGKILL\""));
        }
        finally
        {
            guard.RequestStop("test");
            Assert.True(loop.Join(10_000), "the loop did not stop");
            LineReader.Start(pipe.Reader);
            _ = writer.Stop(10_000);
        }
    }

    /// <summary>The sum of the samples whose line starts with <paramref name="prefix"/> in a text exposition.</summary>
    private static long Sum(ReadOnlySpan<byte> exposition, string prefix)
    {
        long sum = 0;
        foreach (string line in System.Text.Encoding.UTF8.GetString(exposition).Split('\n'))
        {
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                sum += (long)double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
            }
        }
        return sum;
    }
}
