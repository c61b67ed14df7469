namespace Reapd.CommandLine;

/// <summary>One tagged paragraph of a man page section: an exit code and its meaning, a file and what reapd does with it.</summary>
public readonly record struct ManEntry(string Term, string Text);
