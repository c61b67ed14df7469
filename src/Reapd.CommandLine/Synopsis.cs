using System.CommandLine;
using System.CommandLine.Help;

namespace Reapd.CommandLine;

/// <summary>A command's synopsis from its definition: its arguments, then its options in the order they were added.</summary>
public static class Synopsis
{
    public static IReadOnlyList<SynopsisItem> Of(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var items = new List<SynopsisItem>();
        foreach (Argument argument in command.Arguments)
        {
            if (!argument.Hidden)
            {
                items.Add(new SynopsisItem(null, argument.HelpName ?? argument.Name, argument.Arity.MinimumNumberOfValues == 0,
                    argument.Arity.MaximumNumberOfValues > 1));
            }
        }
        foreach (Option option in Documented(command))
        {
            string? value = option.Arity.MaximumNumberOfValues == 0 ? null : ValueName(option);
            items.Add(new SynopsisItem(option.Name, value, !option.Required, option.Arity.MaximumNumberOfValues > 1));
        }
        return items;
    }

    /// <summary>"reapd run [--cgroup PATH] ..." in plain text.</summary>
    public static string Text(Command command, string prefix)
    {
        ArgumentNullException.ThrowIfNull(command);
        IReadOnlyList<SynopsisItem> items = Of(command);
        return items.Count == 0 ? prefix : prefix + " " + string.Join(' ', items);
    }

    /// <summary>The options a user sees: not hidden, not --help and --version (which every command has).</summary>
    public static IEnumerable<Option> Documented(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        return command.Options.Where(o => !o.Hidden && o is not HelpOption and not VersionOption);
    }

    /// <summary>The visible subcommands, in the order they were added.</summary>
    public static IEnumerable<Command> Subcommands(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        return command.Subcommands.Where(c => !c.Hidden);
    }

    public static string ValueName(Option option)
    {
        ArgumentNullException.ThrowIfNull(option);
        return option.HelpName ?? option.Name.TrimStart('-').ToUpperInvariant();
    }
}
