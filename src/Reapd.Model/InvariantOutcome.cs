namespace Reapd.Model;

/// <summary>
/// One invariant's verdict in one run: <see cref="Holds"/> is true (explored completely, nothing found), false (a
/// counterexample, under <see cref="Labels"/>), or null (inconclusive: the bound was hit or the run was random).
/// </summary>
public sealed record InvariantOutcome(string Code, string Title, Expected Expected, bool? Holds, IReadOnlyList<string> Labels)
{
    public bool Matches => Expected.Holds
        ? Holds == true
        : Holds == false && Expected.Labels.All(Labels.Contains);

    public string Verdict => Holds switch
    {
        true => "holds",
        false => "BROKEN " + string.Join(", ", Labels),
        null => "inconclusive",
    };
}
