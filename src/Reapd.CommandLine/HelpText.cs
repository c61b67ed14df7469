using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;

namespace Reapd.CommandLine;

/// <summary>
/// Help generated from the definitions, in the layout of reapd's man page: the synopsis, the summary and details, then
/// each argument, option and command with its description, at a fixed width (the same text on a terminal, in a pipe
/// and in a test). Replaces System.CommandLine's help, whose layout cannot be extended with the details.
/// </summary>
public sealed class HelpText : SynchronousCommandLineAction
{
    public const int WidthColumns = 100;

    private readonly string _program;

    private HelpText(string program) => _program = program;

    public override bool ClearsParseErrors => true;

    /// <summary>-h and --help on a command and every command below it.</summary>
    public static Option CreateOption() => new System.CommandLine.Help.HelpOption("--help", "-h") { Description = "show this help" };

    /// <summary>Every help option in the tree under <paramref name="root"/> prints this help.</summary>
    public static void Apply(Command root, string program)
    {
        ArgumentNullException.ThrowIfNull(root);
        foreach (Option option in root.Options)
        {
            if (option is System.CommandLine.Help.HelpOption help)
            {
                help.Action = new HelpText(program);
            }
        }
    }

    public override int Invoke(ParseResult parseResult)
    {
        ArgumentNullException.ThrowIfNull(parseResult);
        Write(parseResult.CommandResult.Command, CommandLineInvoker.PathOf(parseResult.CommandResult, _program),
            parseResult.InvocationConfiguration.Output);
        return 0;
    }

    public static void Write(Command command, string path, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(output);
        Command[] subcommands = Synopsis.Subcommands(command).ToArray();
        string usage = subcommands.Length > 0 ? path + " <command> [options]" : Synopsis.Text(command, path);
        TextWrap.WriteParagraphs(output, "usage: " + usage, WidthColumns, indent: 0, hangingIndent: "usage: ".Length + path.Length + 1);
        output.WriteLine();
        TextWrap.WriteParagraphs(output, command.Description ?? "", WidthColumns, indent: 0);
        if (command is DocumentedCommand { Details: { } details })
        {
            output.WriteLine();
            TextWrap.WriteParagraphs(output, details, WidthColumns, indent: 0);
        }

        WriteRows(output, "arguments:", command.Arguments.Where(a => !a.Hidden)
            .Select(a => (a.HelpName ?? a.Name, a.Description ?? "")).ToList());
        WriteRows(output, "options:", command.Options.Concat(InheritedOptions(command)).Where(o => !o.Hidden)
            .Select(o => (Label(o), o.Description ?? "")).ToList());

        if (subcommands.Length > 0)
        {
            WriteRows(output, "commands:", subcommands.Select(c => (c.Name, c.Description ?? "")).ToList());
            output.WriteLine();
            output.WriteLine($"'{path} <command> --help' shows the options of one command.");
        }
    }

    /// <summary>Options of the commands above that apply here too (--help), which Command.Options does not list.</summary>
    private static IEnumerable<Option> InheritedOptions(Command command)
    {
        var seen = new HashSet<Symbol>();
        var pending = new Stack<Symbol>(command.Parents);
        while (pending.TryPop(out Symbol? parent))
        {
            if (parent is Command above && seen.Add(above))
            {
                foreach (Option option in above.Options.Where(o => o.Recursive))
                {
                    yield return option;
                }
                foreach (Symbol further in above.Parents)
                {
                    pending.Push(further);
                }
            }
        }
    }

    /// <summary>"-h, --help", "--grace DURATION": the short names first.</summary>
    private static string Label(Option option)
    {
        string names = string.Join(", ", option.Aliases.Append(option.Name).Where(n => n.StartsWith('-') && n != "-?")
            .Distinct(StringComparer.Ordinal).OrderBy(n => n.Length).ThenBy(n => n, StringComparer.Ordinal));
        return option.Arity.MaximumNumberOfValues == 0 ? names : names + " " + Synopsis.ValueName(option);
    }

    private static void WriteRows(TextWriter output, string title, List<(string Left, string Right)> rows)
    {
        if (rows.Count == 0)
        {
            return;
        }
        output.WriteLine();
        output.WriteLine(title);
        int leftWidth = Math.Min(30, rows.Max(r => r.Left.Length)) + 4;
        foreach ((string left, string right) in rows)
        {
            var wrapped = new StringWriter();
            TextWrap.WriteParagraphs(wrapped, right.Length == 0 ? "-" : right, WidthColumns - leftWidth, indent: 0);
            string[] lines = wrapped.ToString().TrimEnd('\n').Split('\n');
            bool own = left.Length + 4 > leftWidth;
            output.WriteLine(own ? "  " + left : "  " + left.PadRight(leftWidth - 2) + lines[0]);
            foreach (string line in own ? lines : lines[1..])
            {
                output.WriteLine(new string(' ', leftWidth) + line);
            }
        }
    }
}
