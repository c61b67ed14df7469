namespace Reapd.Core.Selection;

/// <summary>
/// A lookup of one scan's candidates by process identity (pid and start time), built once per scan, so that the kill
/// path asks about each sharer or scope member in O(log n) instead of walking the whole ranking for each one (a
/// thousand-member process group against a thousand-entry ranking was a million comparisons on the emergency path).
/// The keys are (pid &lt;&lt; 32 | index) in one reused long array, sorted with the primitive sort: building and looking up
/// allocate nothing once the array has grown to the ranking's size. The index refers to positions in the span it was
/// built from; a lookup checks the entry it finds, so a ranking rewritten since (without a rebuild) yields misses, not
/// wrong answers.
/// </summary>
public sealed class CandidatePidIndex
{
    private long[] _keys;
    private int _count;

    public CandidatePidIndex(int capacity = 256)
    {
        _keys = new long[Math.Max(1, capacity)];
    }

    /// <summary>Entries indexed by the last <see cref="Build"/>.</summary>
    public int Count => _count;

    /// <summary>Indexes <paramref name="ranked"/> (the scan's entries, in whatever order the ranking left them).</summary>
    public void Build(ReadOnlySpan<Candidate> ranked)
    {
        if (_keys.Length < ranked.Length)
        {
            _keys = new long[Math.Max(ranked.Length, _keys.Length * 2)];
        }
        for (int i = 0; i < ranked.Length; i++)
        {
            // Pids are below 2^22 (PID_MAX_LIMIT) and positive: the key sorts by pid, then by position.
            _keys[i] = ((long)ranked[i].Pid << 32) | (uint)i;
        }
        _count = ranked.Length;
        _keys.AsSpan(0, _count).Sort();
    }

    /// <summary>Forgets the entries (the ranking they referred to is gone).</summary>
    public void Clear() => _count = 0;

    /// <summary>
    /// The position in <paramref name="ranked"/> (the span the index was built from) of the process with this pid and
    /// start time, or -1. A reused pid with another start time is not it.
    /// </summary>
    public int Find(ReadOnlySpan<Candidate> ranked, int pid, ulong startTimeTicks)
    {
        ReadOnlySpan<long> keys = _keys.AsSpan(0, _count);
        long first = (long)pid << 32;
        int at = keys.BinarySearch(first);
        for (int i = at >= 0 ? at : ~at; i < keys.Length && (keys[i] >> 32) == pid; i++)
        {
            int index = (int)(uint)keys[i];
            if (index < ranked.Length && ranked[index].Pid == pid && ranked[index].StartTimeTicks == startTimeTicks)
            {
                return index;
            }
        }
        return -1;
    }
}
