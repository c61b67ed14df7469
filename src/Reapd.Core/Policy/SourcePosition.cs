namespace Reapd.Core.Policy;

/// <summary>Where a setting came from, for messages and `reapd ls`: a file with its 1-based line and column, or a built-in default.</summary>
public readonly record struct SourcePosition(string File, int Line, int Column)
{
    /// <summary>The built-in defaults (no file).</summary>
    public static SourcePosition BuiltIn { get; } = new("built-in", 0, 0);

    public bool IsBuiltIn => Line == 0;

    public override string ToString() => IsBuiltIn ? File : $"{File}:{Line}:{Column}";
}
