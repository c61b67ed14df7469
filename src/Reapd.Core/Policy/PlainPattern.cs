namespace Reapd.Core.Policy;

/// <summary>
/// A cmdline pattern that is plain text, matched by comparison instead of a regular expression: a literal WORD,
/// optionally with one group of literal alternatives inside it (`--type=(renderer|utility)`), optionally required to
/// start an argument (`(^| )` before it) and optionally to end one (`( |$)` after it); arguments are joined by single
/// spaces. So `(^| )--type=( |$)` means "some argument is `--type=`" and `--type=renderer` "the text contains it".
/// Why: every built-in desktop rule's pattern and the usual hand-written one have this shape, and a
/// <see cref="System.Text.RegularExpressions.RegexOptions.NonBacktracking"/> expression costs over a mebibyte of
/// resident, locked memory (its symbolic automaton and character-set tables; docs/daemon.md, "Memory") for what is
/// a substring search. The answer is the expression's for every input (<c>PlainPatternTests</c> compares both); any
/// other pattern stays a regular expression.
/// </summary>
public sealed class PlainPattern
{
    private const string ArgumentStart = "(^| )";
    private const string ArgumentEnd = "( |$)";

    private readonly string[] _words;
    private readonly bool _argumentStart;
    private readonly bool _argumentEnd;

    private PlainPattern(string[] words, bool argumentStart, bool argumentEnd)
    {
        _words = words;
        _argumentStart = argumentStart;
        _argumentEnd = argumentEnd;
    }

    /// <summary>The pattern as plain words, or null when it is anything else (then it stays a regular expression).</summary>
    public static PlainPattern? TryParse(string pattern)
    {
        ReadOnlySpan<char> body = pattern;
        bool argumentStart = body.StartsWith(ArgumentStart, StringComparison.Ordinal);
        if (argumentStart)
        {
            body = body[ArgumentStart.Length..];
        }
        bool argumentEnd = body.EndsWith(ArgumentEnd, StringComparison.Ordinal);
        if (argumentEnd)
        {
            body = body[..^ArgumentEnd.Length];
        }
        // prefix, then at most one "(a|b|...)", then a suffix: all literal.
        int open = body.IndexOf('(');
        ReadOnlySpan<char> prefix = open < 0 ? body : body[..open];
        if (!IsLiteral(prefix))
        {
            return null;
        }
        if (open < 0)
        {
            return prefix.IsEmpty ? null : new PlainPattern([prefix.ToString()], argumentStart, argumentEnd);
        }
        int close = body.IndexOf(')');
        if (close < open)
        {
            return null;
        }
        ReadOnlySpan<char> suffix = body[(close + 1)..];
        if (!IsLiteral(suffix))
        {
            return null;
        }
        ReadOnlySpan<char> group = body[(open + 1)..close];
        var words = new List<string>();
        foreach (Range part in group.Split('|'))
        {
            ReadOnlySpan<char> alternative = group[part];
            if (!IsLiteral(alternative))
            {
                return null;
            }
            string word = string.Concat(prefix, alternative, suffix);
            if (word.Length == 0)
            {
                return null;
            }
            words.Add(word);
        }
        return new PlainPattern([.. words], argumentStart, argumentEnd);
    }

    /// <summary>
    /// Characters that stand for themselves in a .NET regular expression outside a character class, and nothing
    /// that could be an escape, an anchor, a quantifier, a group, a class or whitespace.
    /// </summary>
    private static bool IsLiteral(ReadOnlySpan<char> text)
    {
        foreach (char c in text)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '=' or '_' or '/' or ':' or ',' or '@' or '%' or '~' or '!'))
            {
                return false;
            }
        }
        return true;
    }

    /// <summary>Whether one of the words occurs, where the pattern wants it (an argument's start, end or both). Allocation-free.</summary>
    public bool IsMatch(ReadOnlySpan<char> cmdline)
    {
        foreach (string word in _words)
        {
            int from = 0;
            while (from <= cmdline.Length - word.Length)
            {
                int found = cmdline[from..].IndexOf(word.AsSpan());
                if (found < 0)
                {
                    break;
                }
                int start = from + found, end = start + word.Length;
                if ((!_argumentStart || start == 0 || cmdline[start - 1] == ' ') && (!_argumentEnd || EndsArgument(cmdline, end)))
                {
                    return true;
                }
                from = start + 1;
            }
        }
        return false;
    }

    /// <summary>
    /// `( |$)` at <paramref name="end"/>: a space, or `$` — without RegexOptions.Multiline that is the end of the text
    /// or a final newline before it.
    /// </summary>
    private static bool EndsArgument(ReadOnlySpan<char> cmdline, int end) =>
        end == cmdline.Length || cmdline[end] == ' ' || (end == cmdline.Length - 1 && cmdline[end] == '\n');
}
