using System.CommandLine.Parsing;

namespace Reapd.CommandLine;

/// <summary>
/// Turns the first parse error into the one line every reapd program prints for bad input: what is wrong and which
/// option or argument it is about, without System.CommandLine's wording (which names .NET types and parse states).
/// </summary>
public static class ParseProblem
{
    public static string Describe(System.CommandLine.ParseResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.Errors.Count == 0)
        {
            throw new InvalidOperationException("the parse has no error to describe");
        }
        ParseError error = result.Errors[0];
        string line = error.SymbolResult switch
        {
            OptionResult { Tokens.Count: 0 } option => $"option {NameOf(option)} needs a value",
            OptionResult option when option.Tokens.Count > option.Option.Arity.MaximumNumberOfValues =>
                $"option {NameOf(option)} is given more than once",
            ArgumentResult { Tokens.Count: 0 } argument when argument.Parent is CommandResult command =>
                $"{command.Command.Name} needs {argument.Argument.HelpName ?? argument.Argument.Name}",
            CommandResult command when result.UnmatchedTokens.Count > 0 => Unmatched(command, result.UnmatchedTokens[0]),
            _ => error.Message,
        };
        // One line, whatever a validator wrote.
        return line.ReplaceLineEndings(" ");
    }

    private static string Unmatched(CommandResult command, string token)
    {
        if (token.StartsWith('-') && token.Length > 1)
        {
            return $"unknown option '{token}' for {command.Command.Name}";
        }
        return command.Parent is null && command.Command.Subcommands.Count > 0
            ? $"unknown command '{token}'"
            : $"unexpected argument '{token}' for {command.Command.Name}";
    }

    private static string NameOf(OptionResult option) => option.IdentifierToken?.Value ?? option.Option.Name;
}
