using System.Runtime.CompilerServices;

namespace Reapd.Core.Selection;

/// <summary>
/// Which rules touched a process, as indices into the compiled rule set in the order they applied: stored inline in
/// the <see cref="Candidate"/> so a scan allocates nothing. A process matched by more than <see cref="Capacity"/> rules
/// keeps the first ones and <see cref="Total"/> counts them all (its badness includes every effect).
/// </summary>
public struct RuleHits
{
    public const int Capacity = 16;

    [InlineArray(Capacity)]
    private struct Indices
    {
        private ushort _element0;
    }

    private Indices _indices;
    private byte _stored;
    private ushort _total;

    /// <summary>How many rules touched the process.</summary>
    public readonly int Total => _total;

    /// <summary>How many of them are stored (at most <see cref="Capacity"/>).</summary>
    public readonly int Count => _stored;

    public readonly bool IsEmpty => _total == 0;

    public readonly int this[int i] => i < _stored ? ((ReadOnlySpan<ushort>)_indices)[i] : throw new ArgumentOutOfRangeException(nameof(i));

    public void Add(int ruleIndex)
    {
        if (_stored < Capacity)
        {
            ((Span<ushort>)_indices)[_stored++] = (ushort)ruleIndex;
        }
        if (_total < ushort.MaxValue)
        {
            _total++;
        }
    }

    public readonly bool Contains(int ruleIndex)
    {
        for (int i = 0; i < _stored; i++)
        {
            if (((ReadOnlySpan<ushort>)_indices)[i] == ruleIndex)
            {
                return true;
            }
        }
        return false;
    }
}
