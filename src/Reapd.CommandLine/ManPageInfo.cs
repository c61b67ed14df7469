namespace Reapd.CommandLine;

/// <summary>What a man page needs beyond the command definitions.</summary>
public sealed record ManPageInfo(
    int Section,
    string Version,
    string Manual,
    IReadOnlyList<ManEntry> ExitStatus,
    IReadOnlyList<ManEntry> Environment,
    IReadOnlyList<ManEntry> Files,
    IReadOnlyList<string> SeeAlso);
