namespace Reapd.CommandLine;

/// <summary>
/// One element of a command's synopsis: an option (<see cref="Flag"/> "--grace", <see cref="Value"/> "DURATION" or
/// null for a switch) or an argument (no flag, <see cref="Value"/> "PID").
/// </summary>
public readonly record struct SynopsisItem(string? Flag, string? Value, bool Optional, bool Repeatable)
{
    /// <summary>Plain text: "[--grace DURATION]", "[--protect NAME]...", "PID".</summary>
    public override string ToString()
    {
        string core = (Flag, Value) switch
        {
            (null, null) => "",
            (null, _) => Value,
            (_, null) => Flag,
            _ => Flag + " " + Value,
        };
        return (Optional ? "[" + core + "]" : core) + (Repeatable ? "..." : "");
    }
}
