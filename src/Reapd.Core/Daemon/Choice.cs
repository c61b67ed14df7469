namespace Reapd.Core.Daemon;

/// <summary>The outcome of choosing among ranked candidates: the index of the victim, or -1 when nobody is eligible.</summary>
/// <param name="Index">Index into the ranked list, or -1.</param>
/// <param name="ExcludedCount">How many ranked candidates ahead of the choice were skipped as excluded (settle timeout, stuck, refused).</param>
public readonly record struct Choice(int Index, int ExcludedCount)
{
    public bool Found => Index >= 0;
}
