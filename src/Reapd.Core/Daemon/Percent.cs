using System.Globalization;

namespace Reapd.Core.Daemon;

/// <summary>Percentages as the command line writes them: "10", "7.5", "7.5%".</summary>
public static class Percent
{
    /// <summary>Parses a percentage in [0, 100]; false for anything else.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out double percent)
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
