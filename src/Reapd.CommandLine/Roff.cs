using System.Globalization;
using System.Text;

namespace Reapd.CommandLine;

/// <summary>Escaping for roff text lines (man(7)).</summary>
public static class Roff
{
    /// <summary>
    /// Text safe on a roff text line: backslashes escaped, every '-' a minus (so options copy and search as typed), non-ASCII as
    /// a groff Unicode escape (groff reads Latin-1 without preconv), and no line starting with a control character.
    /// </summary>
    public static string Escape(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var escaped = new StringBuilder(text.Length + 16);
        foreach (char c in text)
        {
            switch (c)
            {
                case '\\':
                    escaped.Append(@"\e");
                    break;
                case '-':
                    escaped.Append(@"\-");
                    break;
                case '\n':
                    escaped.Append(' ');
                    break;
                case > (char)127:
                    escaped.Append(CultureInfo.InvariantCulture, $@"\[u{(int)c:X4}]");
                    break;
                default:
                    escaped.Append(c);
                    break;
            }
        }
        if (escaped.Length > 0 && escaped[0] is '.' or '\'')
        {
            escaped.Insert(0, @"\&");
        }
        return escaped.ToString();
    }

    public static string Bold(string text) => @"\fB" + Escape(text) + @"\fR";

    public static string Italic(string text) => @"\fI" + Escape(text) + @"\fR";

    /// <summary>A synopsis item with the flag in bold and the value in italics: [\fB\-\-grace\fR\ \fIDURATION\fR].</summary>
    public static string Format(SynopsisItem item)
    {
        string core = (item.Flag, item.Value) switch
        {
            (null, null) => "",
            (null, _) => Italic(item.Value),
            (_, null) => Bold(item.Flag),
            // An unpaddable space: a line never breaks between an option and its value.
            _ => Bold(item.Flag) + @"\ " + Italic(item.Value),
        };
        return (item.Optional ? "[" + core + "]" : core) + (item.Repeatable ? "..." : "");
    }
}
