using ScottPlot;

namespace Reapd.Bench;

/// <summary>
/// The freeze as a picture: the machine's cumulative PSI memory stall ("full" solid, "some" dotted) since the
/// workload started, one colour per daemon (its median run), with the victim's SIGKILL marked. A line that keeps
/// climbing is a machine that stays frozen; where it goes flat, the freeze ended.
/// </summary>
internal static class StallTimeline
{
    public static void Write(string path, string title, IReadOnlyList<RunResult> representatives)
    {
        var plt = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        bool any = false;
        for (int i = 0; i < representatives.Count; i++)
        {
            var r = representatives[i];
            var samples = r.Samples.Where(s => s.TimeS >= r.StartS && s.TimeS <= r.EndS && s.PsiFullUs >= 0).ToArray();
            if (samples.Length < 2)
            {
                continue;
            }
            any = true;
            var color = palette.GetColor(i);
            double[] xs = samples.Select(s => s.TimeS - r.StartS).ToArray();
            var full = plt.Add.ScatterLine(xs, samples.Select(s => (s.PsiFullUs - samples[0].PsiFullUs) / 1000.0).ToArray(), color);
            full.LineWidth = 2;
            full.LegendText = $"{r.Daemon} (run {r.Round}), full";
            var some = plt.Add.ScatterLine(xs, samples.Select(s => (s.PsiSomeUs - samples[0].PsiSomeUs) / 1000.0).ToArray(), color);
            some.LinePattern = LinePattern.Dotted;
            some.LegendText = $"{r.Daemon}, some";
            if (r.VictimKill is { } k)
            {
                var v = plt.Add.VerticalLine(k.TimeS - r.StartS, 1, color);
                v.LinePattern = LinePattern.Dashed;
            }
        }
        if (!any)
        {
            return;
        }
        plt.Title(title + ": the freeze (PSI memory stall)");
        plt.XLabel("seconds since the workload started (dashed: the thrasher's SIGKILL)");
        plt.YLabel("cumulative stall, ms");
        plt.ShowLegend(Alignment.UpperLeft);
        plt.SavePng(path, 1200, 600);
    }
}
