using System.Globalization;

namespace Reapd.Bench.Swap;

/// <summary>The cumulative stall counters of a PSI file (/proc/pressure/memory or a v2 cgroup's memory.pressure):
/// the "total=" of its "some" and "full" lines, microseconds since boot (or since the cgroup was created).</summary>
internal readonly record struct PsiTotals(long SomeUs, long FullUs)
{
    /// <summary>Parses the two lines; null when either is missing or malformed.</summary>
    public static PsiTotals? Parse(string text)
    {
        long? some = null, full = null;
        foreach (string line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            int at = line.IndexOf("total=", StringComparison.Ordinal);
            if (at < 0 || !long.TryParse(line.AsSpan(at + 6).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out long us))
            {
                continue;
            }
            if (line.StartsWith("some ", StringComparison.Ordinal))
            {
                some = us;
            }
            else if (line.StartsWith("full ", StringComparison.Ordinal))
            {
                full = us;
            }
        }
        return some is long s && full is long f ? new PsiTotals(s, f) : null;
    }
}

/// <summary>One reading of the PSI counters at a monotonic time (the runner's clock).</summary>
internal readonly record struct PsiSample(double TimeS, PsiTotals Totals);

/// <summary>
/// The freeze of one incident: how long tasks were stalled on memory between two times, from the growth of the
/// cumulative "total=" counters. The counters are exact sums the kernel keeps, so readings that come late (the
/// sampler itself stalls in a thrash) only blur the ends of the window, never lose stall time inside it.
/// </summary>
internal static class PsiStall
{
    /// <summary>
    /// Stall (ms) between <paramref name="fromS"/> and <paramref name="toS"/>: the counter at the last reading at or
    /// before the end, less the counter at the last reading at or before the start (the first reading when none is
    /// that early). NaN with fewer than two readings in reach. A counter that went backwards (a cgroup recreated) is NaN.
    /// </summary>
    public static double StallMs(IReadOnlyList<PsiSample> samples, double fromS, double toS, bool full)
    {
        if (samples.Count < 2 || toS < fromS)
        {
            return double.NaN;
        }
        PsiSample start = samples[0];
        PsiSample? end = null;
        foreach (var s in samples)
        {
            if (s.TimeS <= fromS)
            {
                start = s;
            }
            if (s.TimeS <= toS)
            {
                end = s;
            }
        }
        if (end is not PsiSample b || b.TimeS <= start.TimeS)
        {
            return double.NaN;
        }
        long delta = full ? b.Totals.FullUs - start.Totals.FullUs : b.Totals.SomeUs - start.Totals.SomeUs;
        return delta < 0 ? double.NaN : delta / 1000.0;
    }

    /// <summary>The cumulative stall (ms) since the first reading, per reading: the plot's y values.</summary>
    public static double[] CumulativeMs(IReadOnlyList<PsiSample> samples, bool full) =>
        samples.Select(s => (full ? s.Totals.FullUs - samples[0].Totals.FullUs : s.Totals.SomeUs - samples[0].Totals.SomeUs) / 1000.0).ToArray();
}
