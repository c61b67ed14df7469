namespace Reapd.Model;

/// <summary>
/// What kernel history (docs/kernel.md B.5, the verdict table) says one invariant does in one variant: it holds, or
/// it is broken with at least the given case labels ("1a", "1b").
/// </summary>
public sealed record Expected(bool Holds, IReadOnlyList<string> Labels)
{
    public static Expected Hold { get; } = new(true, []);

    public static Expected Broken(params string[] labels) => new(false, labels);

    public override string ToString() => Holds ? "holds" : "broken " + string.Join(", ", Labels);
}
