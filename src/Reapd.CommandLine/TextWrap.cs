namespace Reapd.CommandLine;

/// <summary>Word wrapping for help text: paragraphs (split on blank lines) filled to a width, with an indent.</summary>
public static class TextWrap
{
    /// <summary>Writes the paragraphs; lines after a paragraph's first start at <paramref name="hangingIndent"/> when given.</summary>
    public static void WriteParagraphs(TextWriter output, string text, int width, int indent, int? hangingIndent = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(text);
        string[] paragraphs = text.ReplaceLineEndings("\n").Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        for (int p = 0; p < paragraphs.Length; p++)
        {
            if (p > 0)
            {
                output.WriteLine();
            }
            WriteFilled(output, paragraphs[p], width, indent, hangingIndent ?? indent);
        }
    }

    private static void WriteFilled(TextWriter output, string paragraph, int width, int firstIndent, int indent)
    {
        string pad = new(' ', firstIndent);
        int column = 0;
        foreach (string word in paragraph.Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries))
        {
            if (column > 0 && column + 1 + word.Length > width)
            {
                output.WriteLine();
                column = 0;
                pad = new string(' ', indent);
            }
            if (column == 0)
            {
                output.Write(pad);
                column = pad.Length;
            }
            else
            {
                output.Write(' ');
                column++;
            }
            output.Write(word);
            column += word.Length;
        }
        output.WriteLine();
    }
}
