using System.Globalization;
using Reapd.Core.Daemon;
using Reapd.Core.Decision;
using Reapd.Testing;

namespace Reapd.Core.Tests.Daemon;

/// <summary>
/// The thrash condition with its default settings, fed the PSI, refault and swap counters recorded on real machines
/// (tests/fixtures/thrash/README.md) the way the daemon feeds them (anonymous refaults, swap-ins and swap-outs): it must
/// never hold while a guest merely swaps out (even with its full stall far above the level, and page cache refaulting
/// past the refault level) or while this host builds and copies, and it must hold once a guest's working set comes
/// back from zram.
/// </summary>
public sealed class ThrashTraceTests
{
    private sealed record Point(long TimeMs, long FullTotalUs, long AnonRefaults, long FileRefaults, long SwapIns, long SwapOuts);

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
            points.Add(new Point(timeMs, long.Parse(f[2], CultureInfo.InvariantCulture), long.Parse(f[5], CultureInfo.InvariantCulture),
                long.Parse(f[6], CultureInfo.InvariantCulture), long.Parse(f[3], CultureInfo.InvariantCulture), long.Parse(f[4], CultureInfo.InvariantCulture)));
        }
        Assert.True(points.Count > 20, $"{name}: too short a recording");
        return points;
    }

    /// <summary>The time (ms into the trace) of the first sample on which the default thrash condition kills, or -1.</summary>
    private static long FirstKillMs(List<Point> trace, int everyNth = 1) => Replay(trace, everyNth).FirstKillMs;

    /// <summary>
    /// The trace through the default thrash condition: the times (ms into the trace) of the first sample on which it
    /// held and of the first on which it killed, each -1 for none.
    /// </summary>
    private static (long FirstHeldMs, long FirstKillMs) Replay(List<Point> trace, int everyNth = 1)
    {
        long firstHeldMs = -1;
        var config = new DaemonConfig();
        var tracker = new ThrashTracker(config.ThrashWindowMs, config.ThrashFullPercent!.Value, config.ThrashRefaultsPerSecond);
        for (int i = 0; i < trace.Count; i += everyNth)
        {
            Point p = trace[i];
            if (!tracker.NeedsRefaults(p.FullTotalUs))
            {
                tracker.Observe(p.TimeMs, p.FullTotalUs, -1, -1, -1);
            }
            else
            {
                tracker.Observe(p.TimeMs, p.FullTotalUs, p.AnonRefaults, p.SwapIns, p.SwapOuts);
            }
            var sample = new MemorySample(p.TimeMs, 1L << 30, 1L << 32, 1L << 30, 1L << 30, new PsiReading(true, 0, p.FullTotalUs, 0, 0))
            {
                ThrashFullPercent = tracker.FullPercent,
                ThrashRefaultsPerSecond = tracker.RefaultsPerSecond,
                ThrashHeldMs = tracker.HeldMs,
            };
            if (tracker.HeldMs >= 0 && firstHeldMs < 0)
            {
                firstHeldMs = p.TimeMs - trace[0].TimeMs;
            }
            if (PressureAssessment.Assess(sample, config, out PressureCondition condition) == PressureLevel.Kill)
            {
                Assert.Equal(PressureCondition.Thrash, condition);
                return (firstHeldMs, p.TimeMs - trace[0].TimeMs);
            }
        }
        return (firstHeldMs, -1);
    }

    [Theory]
    [InlineData("guest-zram-idle.trace")]
    [InlineData("guest-zram-idle-loaded.trace")]
    [InlineData("guest-zram-swap-out.trace")]
    [InlineData("guest-6.1-zram-idle.trace")]
    [InlineData("guest-6.1-zram-swap-out.trace")]
    [InlineData("host-build-copy.trace")]
    public void Swapping_out_and_heavy_work_never_make_the_default_thrash_condition_kill(string trace)
    {
        List<Point> points = Trace(trace);
        Assert.Equal((-1L, -1L), Replay(points)); // it never even holds, at any sample
        Assert.Equal(-1, FirstKillMs(points, everyNth: 5)); // sampled less often, as with no trigger firing
    }

    [Fact]
    public void The_swap_out_recordings_stall_far_above_the_level_so_the_refaults_are_what_tells_them_apart()
    {
        foreach (string trace in new[] { "guest-zram-idle.trace", "guest-zram-idle-loaded.trace", "guest-zram-swap-out.trace", "guest-6.1-zram-idle.trace", "guest-6.1-zram-swap-out.trace" })
        {
            List<Point> points = Trace(trace);
            double worst = 0;
            foreach ((Point a, Point b) in Windows(points))
            {
                worst = Math.Max(worst, (b.FullTotalUs - a.FullTotalUs) / ((b.TimeMs - a.TimeMs) * 10.0));
            }
            Assert.True(worst >= 40, $"{trace}: the worst full stall of a second or more was {worst:0.#} %");
        }
    }

    [Fact]
    public void A_working_set_coming_back_from_zram_holds_the_default_thrash_condition_and_its_push_out_does_not()
    {
        // guest-zram-thrash.trace: pushed out for about 8 s at 68–83 % full stall (nothing coming back), then 1,080–4,125
        // anonymous pages a second swapped back in, 11–59 for every 100 swapped out. The condition must wait through the
        // first part and hold from the first window of the second (120.63 s of guest uptime). The daemon in that run,
        // sampling more often than this recording, killed at 121.49 s after 1,012 ms held (its log); the kill ended the
        // stall, so the recording's own coarse windows never reach the 1 s duration.
        List<Point> points = Trace("guest-zram-thrash.trace");
        (long firstHeldMs, _) = Replay(points);
        Assert.InRange(firstHeldMs + points[0].TimeMs, 120_600, 120_700);
    }

    [Fact]
    public void Counting_the_page_cache_refaults_passed_the_level_while_a_loaded_guest_merely_pushed_pages_out()
    {
        // guest-zram-idle-loaded.trace is the zram-idle run in which the condition, then counting every refault, killed at
        // 45.6 % full stall and 292 refaults a second (recorded in reapd's log). Its trace, sampled less often than the
        // daemon, shows why: up to 263 file refaults a second while at most 17 anonymous pages a second came back and
        // 0.2 for every 100 went out. Told apart, neither the anonymous rate nor the swap-in share comes near its level.
        List<Point> points = Trace("guest-zram-idle-loaded.trace");
        double worstSum = 0, worstAnon = 0, worstShare = 0;
        foreach ((Point a, Point b) in Windows(points))
        {
            double seconds = (b.TimeMs - a.TimeMs) / 1000.0;
            if ((b.FullTotalUs - a.FullTotalUs) / (seconds * 10_000) < 40)
            {
                continue;
            }
            worstSum = Math.Max(worstSum, (b.AnonRefaults + b.FileRefaults - a.AnonRefaults - a.FileRefaults) / seconds);
            worstAnon = Math.Max(worstAnon, (b.AnonRefaults - a.AnonRefaults) / seconds);
            worstShare = Math.Max(worstShare, (b.SwapIns - a.SwapIns) * 100.0 / Math.Max(1, b.SwapOuts - a.SwapOuts));
        }
        Assert.True(worstSum >= new DaemonConfig().ThrashRefaultsPerSecond, $"every refault: at most {worstSum:0} a second");
        Assert.True(worstAnon < new DaemonConfig().ThrashRefaultsPerSecond / 10, $"anonymous: {worstAnon:0} a second");
        Assert.True(worstShare < ThrashTracker.MinSwapInPercent / 2, $"swap-ins per 100 swap-outs: {worstShare:0.0}");
    }

    /// <summary>Each point with the newest point at least 1 s before it: the windows the condition measures over.</summary>
    private static IEnumerable<(Point Start, Point End)> Windows(List<Point> points)
    {
        for (int i = 1; i < points.Count; i++)
        {
            int start = i;
            while (start > 0 && points[i].TimeMs - points[start].TimeMs < 1000)
            {
                start--;
            }
            if (points[i].TimeMs - points[start].TimeMs >= 1000)
            {
                yield return (points[start], points[i]);
            }
        }
    }
}
