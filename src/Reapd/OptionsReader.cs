using System.Globalization;

namespace Reapd;

/// <summary>
/// Walks a command's arguments for `reapd ls` and `reapd kill`: flags, options with values, and positionals, each
/// problem reported as one line that names the argument. No reflection (NativeAOT).
/// </summary>
internal sealed class OptionsReader
{
    private readonly string[] _args;
    private int _next;

    public OptionsReader(string[] args) => _args = args;

    /// <summary>The first problem found, as one line; null while there is none.</summary>
    public string? Problem { get; private set; }

    public bool TryNext(out string arg)
    {
        if (_next < _args.Length && Problem is null)
        {
            arg = _args[_next++];
            return true;
        }
        arg = "";
        return false;
    }

    /// <summary>The value after option <paramref name="name"/>; sets <see cref="Problem"/> when it is missing.</summary>
    public string? Value(string name)
    {
        if (_next < _args.Length)
        {
            return _args[_next++];
        }
        Fail($"option {name} needs a value");
        return null;
    }

    public void Fail(string problem) => Problem ??= problem;

    public int? PositiveInt(string name, string? text)
    {
        if (text is null)
        {
            return null;
        }
        if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value > 0)
        {
            return value;
        }
        Fail($"{name} must be a positive whole number, not '{text}'");
        return null;
    }

    public ulong? UnsignedLong(string name, string? text)
    {
        if (text is null)
        {
            return null;
        }
        if (ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out ulong value))
        {
            return value;
        }
        Fail($"{name} must be a whole number, not '{text}'");
        return null;
    }

    /// <summary>A duration: "250ms", "2s", "1.5s", "1m", or a bare number of seconds; returned in ms.</summary>
    public int? DurationMs(string name, string? text)
    {
        if (text is null)
        {
            return null;
        }
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
            return (int)Math.Round(value * scale);
        }
        Fail($"{name} must be a duration like 500ms, 2s or 1.5s, not '{text}'");
        return null;
    }
}
