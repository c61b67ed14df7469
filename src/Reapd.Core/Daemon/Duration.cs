using System.Globalization;

namespace Reapd.Core.Daemon;

/// <summary>Durations and percentages as the command line writes them: "500ms", "3s", "1.5s", "2m"; "10", "7.5%".</summary>
public static class Duration
{
    /// <summary>Parses a duration with a unit (ms, s, m) into milliseconds; false for anything else, negative or absurd.</summary>
    public static bool TryParseMs(ReadOnlySpan<char> text, out long milliseconds)
    {
        milliseconds = 0;
        double scale;
        ReadOnlySpan<char> number;
        if (text.EndsWith("ms", StringComparison.Ordinal))
        {
            scale = 1;
            number = text[..^2];
        }
        else if (text.EndsWith("s", StringComparison.Ordinal))
        {
            scale = 1000;
            number = text[..^1];
        }
        else if (text.EndsWith("m", StringComparison.Ordinal))
        {
            scale = 60_000;
            number = text[..^1];
        }
        else
        {
            return false;
        }
        if (number.IsEmpty || number[0] is '+' or '-' ||
            !double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double value))
        {
            return false;
        }
        double ms = value * scale;
        if (double.IsNaN(ms) || ms > TimeSpan.FromDays(1).TotalMilliseconds)
        {
            return false;
        }
        milliseconds = (long)Math.Round(ms);
        return true;
    }

    /// <summary>Parses a percentage ("10", "7.5", "7.5%") in [0, 100].</summary>
    public static bool TryParsePercent(ReadOnlySpan<char> text, out double percent)
    {
        percent = 0;
        if (text.EndsWith("%", StringComparison.Ordinal))
        {
            text = text[..^1];
        }
        if (text.IsEmpty || text[0] is '+' or '-' ||
            !double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out percent))
        {
            return false;
        }
        return percent is >= 0 and <= 100;
    }
}
