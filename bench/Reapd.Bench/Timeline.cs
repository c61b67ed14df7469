using System.Globalization;
using ScottPlot;

namespace Reapd.Bench;

/// <summary>
/// The PNG timeline of one scenario: available memory over time, one line per daemon (its median run), with time
/// counted from the moment that run crossed the SIGKILL line, so who acted when reads off the x axis. The SIGTERM and
/// SIGKILL lines are dashed; each kill is marked on its daemon's line and labelled (filled circle: the victim;
/// cross: any other kill).
/// </summary>
internal static class Timeline
{
    public static void Write(string path, string title, BenchScope scope, IReadOnlyList<RunResult> representatives)
    {
        var plt = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        double unit = scope.IsCgroup ? 1024.0 : 1024.0 * 1024.0;
        string unitName = scope.IsCgroup ? "MiB" : "GiB";
        double xMin = -1, xMax = 1, yMax = 0;
        int label = 0;
        for (int i = 0; i < representatives.Count; i++)
        {
            var r = representatives[i];
            var color = palette.GetColor(i);
            double zero = double.IsNaN(r.KillCrossS) ? r.StartS : r.KillCrossS;
            var samples = r.Samples.Where(s => s.TimeS >= r.StartS && s.TimeS <= r.EndS).ToArray();
            if (samples.Length == 0)
            {
                continue;
            }
            double[] xs = samples.Select(s => s.TimeS - zero).ToArray();
            double[] ys = samples.Select(s => s.AvailableKiB / unit).ToArray();
            var line = plt.Add.ScatterLine(xs, ys, color);
            line.LineWidth = 2;
            line.LegendText = $"{r.Daemon} (run {r.Round})";
            xMin = Math.Min(xMin, Math.Max(-4, xs[0]));
            yMax = Math.Max(yMax, ys.Max());
            double lastEvent = 0;
            bool labelled = false;
            foreach (var k in r.Kills)
            {
                double x = k.TimeS - zero;
                double y = RunAnalysis.SampleAt(samples, k.TimeS).AvailableKiB / unit;
                bool right = k.Role is "victim" or "worker" && !k.Premature;
                plt.Add.Marker(x, y, right ? MarkerShape.FilledCircle : MarkerShape.Eks, 12, color);
                var v = plt.Add.VerticalLine(x, 1, color);
                v.LinePattern = LinePattern.Dotted;
                lastEvent = Math.Max(lastEvent, double.IsNaN(k.MemoryBackS) ? x : k.MemoryBackS - zero);
                if (!labelled)
                {
                    // One line per daemon (its first kill) in the upper right corner; every kill is a marker.
                    labelled = true;
                    int more = r.Kills.Count - 1;
                    string back = double.IsNaN(k.MemoryBackS) ? "memory not back" : $"memory back {(k.MemoryBackS - k.TimeS) * 1000:0} ms later";
                    var note = plt.Add.Annotation(string.Create(CultureInfo.InvariantCulture,
                        $"{r.Daemon}: {(right ? "" : k.Role + " ")}SIGKILL by {k.By} at {x * 1000:+0;-0} ms, {back}{(more > 0 ? $"; +{more} more kills" : "")}"),
                        Alignment.UpperRight);
                    note.LabelFontColor = color;
                    note.LabelFontSize = 14;
                    note.LabelBold = true;
                    note.LabelBackgroundColor = Colors.White.WithAlpha(0.8);
                    note.LabelBorderColor = color;
                    note.OffsetY = 8 + (30 * label++);
                }
            }
            xMax = Math.Max(xMax, Math.Min(xs[^1], lastEvent + 1));
        }
        var term = plt.Add.HorizontalLine(scope.TermLineKiB / unit, 1, Colors.Gray);
        term.LinePattern = LinePattern.Dashed;
        term.LegendText = $"SIGTERM line ({BenchScope.TermPercent} %)";
        var kill = plt.Add.HorizontalLine(scope.KillLineKiB / unit, 1, Colors.Black);
        kill.LinePattern = LinePattern.Dashed;
        kill.LegendText = $"SIGKILL line ({BenchScope.KillPercent} %)";
        plt.Title(title);
        plt.XLabel("seconds since that run crossed the SIGKILL line");
        plt.YLabel($"available memory, {unitName}");
        plt.Axes.SetLimitsX(xMin, xMax);
        plt.Axes.SetLimitsY(0, yMax * 1.05);
        plt.ShowLegend(Alignment.UpperLeft);
        plt.SavePng(path, 1200, 600);
    }
}
