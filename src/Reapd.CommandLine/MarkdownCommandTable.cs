using System.CommandLine;

namespace Reapd.CommandLine;

/// <summary>README's command table (GitHub Markdown) from a command tree: one row per visible command.</summary>
public static class MarkdownCommandTable
{
    public static void Write(Command root, IReadOnlyList<ManEntry> exitStatus, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(exitStatus);
        ArgumentNullException.ThrowIfNull(output);
        output.WriteLine("| command | what it does |");
        output.WriteLine("| --- | --- |");
        foreach (Command command in Synopsis.Subcommands(root))
        {
            string text = command.Description ?? "";
            if (command is DocumentedCommand { DocLink: { } link })
            {
                text += $" ([{link}]({link}))";
            }
            output.WriteLine($"| `{Cell(Synopsis.Text(command, root.Name + " " + command.Name))}` | {Cell(text)} |");
        }
        output.WriteLine();
        output.WriteLine("Exit codes: " + string.Join(", ", exitStatus.Select(e => e.Term + " " + e.Text)) + ".");
    }

    // A '|' would end the cell, also inside a code span (GitHub's table rule).
    private static string Cell(string text) => text.Replace("|", @"\|", StringComparison.Ordinal);
}
