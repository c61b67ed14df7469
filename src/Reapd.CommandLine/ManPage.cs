using System.CommandLine;

namespace Reapd.CommandLine;

/// <summary>
/// Renders a man page (man(7) macros) from a command tree: NAME and DESCRIPTION from the root, a SYNOPSIS line and a
/// section for every visible command with its arguments and options, then exit status, files and see-also.
/// </summary>
public static class ManPage
{
    public static void Write(DocumentedCommand root, ManPageInfo info, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(info);
        ArgumentNullException.ThrowIfNull(output);
        string program = root.Name;
        output.WriteLine($".\\\" Generated from the command definitions by '{program} man'; do not edit.");
        output.WriteLine($".TH {program.ToUpperInvariant()} {info.Section} \"\" \"{program} {info.Version}\" \"{info.Manual}\"");
        // No hyphenation and a ragged right margin: option names must not break inside ("--set-tle-timeout") nor
        // spread apart, and a reader copies them as they are printed.
        output.WriteLine(".nh");
        output.WriteLine(".ad l");
        output.WriteLine(".SH NAME");
        output.WriteLine($"{program} \\- {Roff.Escape(root.Description ?? "")}");

        output.WriteLine(".SH SYNOPSIS");
        bool firstLine = true;
        foreach (Command command in Synopsis.Subcommands(root))
        {
            if (!firstLine)
            {
                output.WriteLine(".br");
            }
            firstLine = false;
            IReadOnlyList<SynopsisItem> items = Synopsis.Of(command);
            output.WriteLine($"{Roff.Bold(program)} {Roff.Bold(command.Name)}{(items.Count > 0 ? " " : "")}{string.Join(' ', items.Select(Roff.Format))}");
        }
        output.WriteLine(".br");
        output.WriteLine($"{Roff.Bold(program)} [{Roff.Bold("--version")}] [{Roff.Bold("--help")}]");

        output.WriteLine(".SH DESCRIPTION");
        WriteParagraphs(output, root.Details);

        output.WriteLine(".SH COMMANDS");
        foreach (Command command in Synopsis.Subcommands(root))
        {
            output.WriteLine($".SS \"{program} {command.Name}\"");
            output.WriteLine(Roff.Escape(command.Description ?? ""));
            if (command is DocumentedCommand documented)
            {
                WriteParagraphs(output, documented.Details, leadingBreak: true);
                if (documented.DocLink is { } link)
                {
                    output.WriteLine(".PP");
                    output.WriteLine($"More in {Roff.Italic(link)} in {program}'s source.");
                }
            }
            foreach (Argument argument in command.Arguments.Where(a => !a.Hidden))
            {
                output.WriteLine(".TP");
                output.WriteLine(Roff.Italic(argument.HelpName ?? argument.Name));
                output.WriteLine(Roff.Escape(argument.Description ?? ""));
            }
            foreach (Option option in Synopsis.Documented(command))
            {
                output.WriteLine(".TP");
                string flags = string.Join(", ", option.Aliases.Order(StringComparer.Ordinal).Prepend(option.Name).Select(Roff.Bold));
                output.WriteLine(option.Arity.MaximumNumberOfValues == 0 ? flags : flags + " " + Roff.Italic(Synopsis.ValueName(option)));
                output.WriteLine(Roff.Escape(option.Description ?? ""));
            }
        }

        WriteEntries(output, "EXIT STATUS", info.ExitStatus, Roff.Bold);
        WriteEntries(output, "ENVIRONMENT", info.Environment, Roff.Bold);
        WriteEntries(output, "FILES", info.Files, Roff.Italic);
        if (info.SeeAlso.Count > 0)
        {
            output.WriteLine(".SH SEE ALSO");
            for (int i = 0; i < info.SeeAlso.Count; i++)
            {
                // "proc(5)" becomes .BR proc (5), with a comma after every reference but the last.
                string reference = info.SeeAlso[i];
                int paren = reference.IndexOf('(', StringComparison.Ordinal);
                string suffix = i < info.SeeAlso.Count - 1 ? "," : "";
                output.WriteLine(paren > 0
                    ? $".BR {Roff.Escape(reference[..paren])} {reference[paren..]}{suffix}"
                    : Roff.Escape(reference) + suffix);
            }
        }
    }

    private static void WriteEntries(TextWriter output, string title, IReadOnlyList<ManEntry> entries, Func<string, string> term)
    {
        if (entries.Count == 0)
        {
            return;
        }
        output.WriteLine($".SH {title}");
        foreach (ManEntry entry in entries)
        {
            output.WriteLine(".TP");
            output.WriteLine(term(entry.Term));
            output.WriteLine(Roff.Escape(entry.Text));
        }
    }

    private static void WriteParagraphs(TextWriter output, string? text, bool leadingBreak = false)
    {
        if (text is null)
        {
            return;
        }
        string[] paragraphs = text.ReplaceLineEndings("\n").Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        for (int i = 0; i < paragraphs.Length; i++)
        {
            if (i > 0 || leadingBreak)
            {
                output.WriteLine(".PP");
            }
            output.WriteLine(Roff.Escape(paragraphs[i].ReplaceLineEndings(" ")));
        }
    }
}
