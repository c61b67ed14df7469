using System.Globalization;

namespace Reapd.Bench;

/// <summary>Median and range of a set of measurements, formatted for the tables.</summary>
internal static class Stats
{
    public static double Median(IReadOnlyList<double> values)
    {
        var v = values.Where(x => !double.IsNaN(x)).OrderBy(x => x).ToArray();
        if (v.Length == 0)
        {
            return double.NaN;
        }
        return v.Length % 2 == 1 ? v[v.Length / 2] : (v[(v.Length / 2) - 1] + v[v.Length / 2]) / 2;
    }

    /// <summary>"median (min–max)" of the values that exist, and "(k of n)" when some runs had none.</summary>
    public static string MedianRange(IReadOnlyList<double> values, string format = "F0")
    {
        var v = values.Where(x => !double.IsNaN(x)).OrderBy(x => x).ToArray();
        if (v.Length == 0)
        {
            return "—";
        }
        string text = v.Length == 1
            ? v[0].ToString(format, CultureInfo.InvariantCulture)
            : $"{Median(v).ToString(format, CultureInfo.InvariantCulture)} ({v[0].ToString(format, CultureInfo.InvariantCulture)}–{v[^1].ToString(format, CultureInfo.InvariantCulture)})";
        return v.Length < values.Count ? $"{text} [{v.Length} of {values.Count}]" : text;
    }
}
