using System.CommandLine;

namespace Reapd.CommandLine;

/// <summary>
/// A command with the text its help, the man page and README's command table share: the one-line summary
/// (<see cref="Symbol.Description"/>), a longer explanation, and the repository document that explains it in depth.
/// </summary>
public sealed class DocumentedCommand : Command
{
    public DocumentedCommand(string name, string summary)
        : base(name, summary)
    {
    }

    /// <summary>Paragraphs after the summary, separated by blank lines; null when the summary says it all.</summary>
    public string? Details { get; init; }

    /// <summary>A path in the repository (docs/daemon.md) that explains the command in depth, or null.</summary>
    public string? DocLink { get; init; }
}
