using System.Globalization;
using Reapd.Core.Daemon;
using Reapd.Core.Decision;
using Reapd.Testing;

namespace Reapd.Core.Tests.Daemon;

/// <summary>
/// The thrash condition with its default settings, fed the PSI and refault counters recorded on real machines
/// (tests/fixtures/thrash/README.md): it must never hold while a guest merely swaps out (even with its full stall far
/// above the level) or while this host builds and copies. (No recording of a guest whose working set came back from
/// zram exists yet: in every guest run the thrasher was killed, or the run ended, while it was still being pushed out.
/// <see cref="ThrashTrackerTests"/> holds the side where the condition must hold.)
/// </summary>
public sealed class ThrashTraceTests
{
    private sealed record Point(long TimeMs, long FullTotalUs, long Refaults);

    private static List<Point> Trace(string name)
    {
        var points = new List<Point>();
        foreach (string line in File.ReadAllLines(Path.Combine(NativeProgram.RepositoryRoot, "tests", "fixtures", "thrash", name)))
        {
            string[] f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 7 || line.StartsWith('#'))
            {
                continue;
            }
            long timeMs = (long)Math.Round(double.Parse(f[0], CultureInfo.InvariantCulture) * 1000);
            points.Add(new Point(timeMs, long.Parse(f[2], CultureInfo.InvariantCulture),
                long.Parse(f[5], CultureInfo.InvariantCulture) + long.Parse(f[6], CultureInfo.InvariantCulture)));
        }
        Assert.True(points.Count > 20, $"{name}: too short a recording");
        return points;
    }

    /// <summary>The time (ms into the trace) of the first sample on which the thrash condition at its suggested level (40 %) kills, or -1.</summary>
    private static long FirstKillMs(List<Point> trace, int everyNth = 1)
    {
        var config = new DaemonConfig { ThrashFullPercent = 40 };
        var tracker = new ThrashTracker(config.ThrashWindowMs, config.ThrashFullPercent!.Value, config.ThrashRefaultsPerSecond);
        for (int i = 0; i < trace.Count; i += everyNth)
        {
            Point p = trace[i];
            tracker.Observe(p.TimeMs, p.FullTotalUs, tracker.NeedsRefaults(p.FullTotalUs) ? p.Refaults : -1);
            var sample = new MemorySample(p.TimeMs, 1L << 30, 1L << 32, 1L << 30, 1L << 30, new PsiReading(true, 0, p.FullTotalUs, 0, 0))
            {
                ThrashFullPercent = tracker.FullPercent,
                ThrashRefaultsPerSecond = tracker.RefaultsPerSecond,
                ThrashHeldMs = tracker.HeldMs,
            };
            if (PressureAssessment.Assess(sample, config, out PressureCondition condition) == PressureLevel.Kill)
            {
                Assert.Equal(PressureCondition.Thrash, condition);
                return p.TimeMs - trace[0].TimeMs;
            }
        }
        return -1;
    }

    [Theory]
    [InlineData("guest-zram-idle.trace")]
    [InlineData("guest-zram-swap-out.trace")]
    [InlineData("host-build-copy.trace")]
    public void Swapping_out_and_heavy_work_never_make_the_default_thrash_condition_kill(string trace)
    {
        List<Point> points = Trace(trace);
        Assert.Equal(-1, FirstKillMs(points));
        Assert.Equal(-1, FirstKillMs(points, everyNth: 5)); // sampled less often, as with no trigger firing
    }

    [Fact]
    public void The_swap_out_recordings_stall_far_above_the_level_so_the_refaults_are_what_tells_them_apart()
    {
        foreach (string trace in new[] { "guest-zram-idle.trace", "guest-zram-swap-out.trace" })
        {
            List<Point> points = Trace(trace);
            double worst = 0;
            for (int i = 1; i < points.Count; i++)
            {
                long spanMs = points[i].TimeMs - points[i - 1].TimeMs;
                if (spanMs >= 1000)
                {
                    worst = Math.Max(worst, (points[i].FullTotalUs - points[i - 1].FullTotalUs) / (spanMs * 10.0));
                }
            }
            Assert.True(worst >= 40, $"{trace}: the worst full stall of a second or more was {worst:0.#} %");
        }
    }
}
