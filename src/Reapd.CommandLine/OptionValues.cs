using System.CommandLine.Parsing;
using System.Globalization;

namespace Reapd.CommandLine;

/// <summary>
/// Custom parsers for option and argument values. Each bad value becomes one parse error that names the option (as the
/// user spelled it) and what was expected, so no value ever reaches System.CommandLine's type conversion, whose
/// message names a .NET type instead.
/// </summary>
public static class OptionValues
{
    /// <summary>The option as the user wrote it (`--grace`, also for `--grace=2s`), or the argument's help name.</summary>
    public static string NameOf(ArgumentResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return result.Parent is OptionResult option
            ? option.IdentifierToken?.Value ?? option.Option.Name
            : result.Argument.HelpName ?? result.Argument.Name;
    }

    /// <summary>A duration: "250ms", "2s", "1.5s", "1m", or a bare number of seconds; in milliseconds.</summary>
    public static int? DurationMs(ArgumentResult result)
    {
        if (!TryText(result, out string text))
        {
            return null;
        }
        if (TryParseDurationMs(text, out int ms))
        {
            return ms;
        }
        result.AddError($"{NameOf(result)} must be a duration like 500ms, 2s or 1.5s, not '{text}'");
        return null;
    }

    public static bool TryParseDurationMs(string text, out int ms)
    {
        ArgumentNullException.ThrowIfNull(text);
        (string number, double scale) = text switch
        {
            _ when text.EndsWith("ms", StringComparison.Ordinal) => (text[..^2], 1.0),
            _ when text.EndsWith('s') => (text[..^1], 1000.0),
            _ when text.EndsWith('m') => (text[..^1], 60_000.0),
            _ => (text, 1000.0),
        };
        if (double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double value)
            && value >= 0 && value * scale <= int.MaxValue)
        {
            ms = (int)Math.Round(value * scale);
            return true;
        }
        ms = 0;
        return false;
    }

    /// <summary>A whole number above 0.</summary>
    public static int? PositiveInt(ArgumentResult result)
    {
        if (!TryText(result, out string text))
        {
            return null;
        }
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value > 0)
        {
            return value;
        }
        result.AddError($"{NameOf(result)} must be a positive whole number, not '{text}'");
        return null;
    }

    /// <summary>A parser for a whole number from <paramref name="min"/> to <paramref name="max"/>.</summary>
    public static Func<ArgumentResult, int?> IntFromTo(int min, int max) => result =>
    {
        if (!TryText(result, out string text))
        {
            return null;
        }
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value >= min && value <= max)
        {
            return value;
        }
        result.AddError(string.Create(CultureInfo.InvariantCulture, $"{NameOf(result)} must be a whole number from {min} to {max}, not '{text}'"));
        return null;
    };

    /// <summary>A whole number from 0 to 2^64-1.</summary>
    public static ulong? UnsignedLong(ArgumentResult result)
    {
        if (!TryText(result, out string text))
        {
            return null;
        }
        if (ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out ulong value))
        {
            return value;
        }
        result.AddError($"{NameOf(result)} must be a whole number, not '{text}'");
        return null;
    }

    /// <summary>A comma-separated list ("a,b"); empty items are dropped, an empty list is an error.</summary>
    public static string[]? CommaList(ArgumentResult result)
    {
        if (!TryText(result, out string text))
        {
            return null;
        }
        string[] items = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (items.Length > 0)
        {
            return items;
        }
        result.AddError($"{NameOf(result)} must be a comma-separated list, not '{text}'");
        return null;
    }

    /// <summary>A text that is not empty (a path, a name).</summary>
    public static string? NonEmptyLast(ArgumentResult result)
    {
        if (!TryText(result, out string text))
        {
            return null;
        }
        if (text.Length > 0)
        {
            return text;
        }
        result.AddError($"{NameOf(result)} must not be empty");
        return null;
    }

    /// <summary>Every value of a repeatable option (`--protect a --protect b`), none of them empty.</summary>
    public static string[] NonEmptyEach(ArgumentResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var values = new string[result.Tokens.Count];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = result.Tokens[i].Value;
            if (values[i].Length == 0)
            {
                result.AddError($"{NameOf(result)} must not be empty");
            }
        }
        return values;
    }

    /// <summary>The last token: an option given twice is refused before parsing, so there is only one.</summary>
    private static bool TryText(ArgumentResult result, out string text)
    {
        ArgumentNullException.ThrowIfNull(result);
        text = result.Tokens.Count > 0 ? result.Tokens[^1].Value : "";
        return result.Tokens.Count > 0;
    }
}
