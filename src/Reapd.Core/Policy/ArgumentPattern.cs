namespace Reapd.Core.Policy;

/// <summary>
/// A cmdline pattern that only looks for an argument, matched by plain comparison instead of a regular expression:
/// `(^| )WORD`, optionally with one group of alternatives inside the word (`(^| )--type=(renderer|utility)`) and
/// optionally ending the argument (`( |$)`), where WORD is literal text. It means: some argument of the command line
/// (arguments are joined by single spaces) starts with one of the words — or, with `( |$)`, is one of them.
/// Why: every built-in desktop rule's pattern has this shape, and a <see cref="System.Text.RegularExpressions.RegexOptions.NonBacktracking"/>
/// expression costs about 1.3 MiB of resident, locked memory each (its symbolic automaton and character-set
/// tables; measured in docs/daemon.md, "Memory"), for what is a substring search. The answer is the same as the
/// expression's for every input (<c>ArgumentPatternTests</c> compares both); other patterns stay regular expressions.
/// </summary>
public sealed class ArgumentPattern
{
    private const string ArgumentStart = "(^| )";
    private const string ArgumentEnd = "( |$)";

    private readonly string[] _words;
    private readonly bool _wholeArgument;

    private ArgumentPattern(string[] words, bool wholeArgument)
    {
        _words = words;
        _wholeArgument = wholeArgument;
    }

    /// <summary>The pattern as plain words, or null when it is anything else (then it stays a regular expression).</summary>
    public static ArgumentPattern? TryParse(string pattern)
    {
        if (!pattern.StartsWith(ArgumentStart, StringComparison.Ordinal))
        {
            return null;
        }
        ReadOnlySpan<char> body = pattern.AsSpan(ArgumentStart.Length);
        bool wholeArgument = body.EndsWith(ArgumentEnd, StringComparison.Ordinal);
        if (wholeArgument)
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
            return prefix.IsEmpty ? null : new ArgumentPattern([prefix.ToString()], wholeArgument);
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
        var words = new List<string>();
        foreach (Range part in body[(open + 1)..close].Split('|'))
        {
            ReadOnlySpan<char> alternative = body[(open + 1)..close][part];
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
        return new ArgumentPattern([.. words], wholeArgument);
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

    /// <summary>Whether some argument starts with (or, for a whole-argument pattern, is) one of the words. Allocation-free.</summary>
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
                if ((start == 0 || cmdline[start - 1] == ' ') && (!_wholeArgument || EndsArgument(cmdline, end)))
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
