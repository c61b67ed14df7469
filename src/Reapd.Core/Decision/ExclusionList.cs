using System.Runtime.CompilerServices;
using Reapd.Core.Daemon;

namespace Reapd.Core.Decision;

/// <summary>
/// Victims that must not be chosen again: their settle timed out, their exit is stuck in __mmput, or they could not
/// be signalled (a protected sharer, not permitted). Identity includes the start time, so a reused PID is not
/// excluded. A value type with a fixed inline ring, so the whole decision state is one copyable value (the model
/// checker stores and restores it); the oldest entry goes when it is full, which only matters after
/// <see cref="Capacity"/> such failures.
/// </summary>
public struct ExclusionList
{
    public const int Capacity = 32;

    private Ring _ids;
    private int _count;
    private int _next;

    public readonly int Count => _count;

    public void Add(VictimId id)
    {
        if (Contains(id))
        {
            return;
        }
        _ids[_next] = id;
        _next = (_next + 1) % Capacity;
        _count = Math.Min(_count + 1, Capacity);
    }

    public readonly bool Contains(VictimId id)
    {
        for (int i = 0; i < _count; i++)
        {
            if (_ids[i] == id)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>The entries, oldest first as far as the ring remembers them (for the model checker's packing and for tests).</summary>
    public readonly VictimId this[int index] => index >= 0 && index < _count ? _ids[index] : throw new ArgumentOutOfRangeException(nameof(index));

    [InlineArray(Capacity)]
    private struct Ring
    {
        private VictimId _first;
    }
}
