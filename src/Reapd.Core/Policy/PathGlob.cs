using System.Text;
using System.Text.RegularExpressions;

namespace Reapd.Core.Policy;

/// <summary>
/// A path glob (`*` and `?` within one path component, `**` across components, `[abc]`, `[a-z]`, `[!x]`) turned into
/// an anchored regular expression for the same linear-time engine the cmdline patterns use: a glob then cannot cost
/// more than one pass over the path, however many stars it holds. `/**/` also matches a single `/` and a trailing
/// `/**` also matches the directory itself, so `/kubepods.slice/**` covers the slice and everything below it.
/// </summary>
public static class PathGlob
{
    public static bool IsGlob(string text) => text.AsSpan().IndexOfAny("*?[") >= 0;

    /// <summary>The regular expression equivalent to <paramref name="glob"/>, or null and a problem for an unclosed `[`.</summary>
    public static string? ToRegexPattern(string glob, out string? problem)
    {
        problem = null;
        var pattern = new StringBuilder("^");
        int i = 0;
        while (i < glob.Length)
        {
            char c = glob[i];
            if (c == '*')
            {
                bool twin = i + 1 < glob.Length && glob[i + 1] == '*';
                if (!twin)
                {
                    pattern.Append("[^/]*");
                    i++;
                    continue;
                }
                bool afterSlash = i == 0 || glob[i - 1] == '/';
                bool beforeSlash = i + 2 < glob.Length && glob[i + 2] == '/';
                bool atEnd = i + 2 == glob.Length;
                if (afterSlash && beforeSlash)
                {
                    // "a/**/b": any number of whole components between, none included.
                    pattern.Append("(?:.*/)?");
                    i += 3;
                }
                else if (afterSlash && atEnd && i > 0)
                {
                    // "a/**": a itself or anything below it; the slash already written becomes optional.
                    pattern.Length--;
                    pattern.Append("(?:/.*)?");
                    i += 2;
                }
                else
                {
                    pattern.Append(".*");
                    i += 2;
                }
                continue;
            }
            if (c == '?')
            {
                pattern.Append("[^/]");
                i++;
                continue;
            }
            if (c == '[')
            {
                int close = glob.IndexOf(']', i + 2 <= glob.Length ? i + 2 : i + 1);
                if (close < 0)
                {
                    problem = $"the glob '{glob}' has a '[' without a closing ']'";
                    return null;
                }
                string body = glob[(i + 1)..close];
                pattern.Append('[');
                int at = 0;
                if (body.Length > 0 && body[0] is '!' or '^')
                {
                    pattern.Append('^');
                    at = 1;
                }
                for (; at < body.Length; at++)
                {
                    char b = body[at];
                    // '-' keeps its range meaning; every other character of the set is literal.
                    if (b is '\\' or '[' or ']' or '^')
                    {
                        pattern.Append('\\');
                    }
                    pattern.Append(b);
                }
                pattern.Append(']');
                i = close + 1;
                continue;
            }
            pattern.Append(Regex.Escape(c.ToString()));
            i++;
        }
        pattern.Append('$');
        return pattern.ToString();
    }
}
