using System.Runtime.CompilerServices;

namespace Reapd.Core.Selection;

/// <summary>
/// A lookup of one scan's candidates by process identity (pid and start time), built once per scan, so that the kill
/// path asks about each sharer or scope member in O(log n) instead of walking the whole ranking for each one (a
/// thousand-member process group against a thousand-entry ranking was a million comparisons on the emergency path).
/// The keys are (pid &lt;&lt; 32 | index) in one reused long array, heap-sorted: building and looking up allocate nothing
/// once the array has grown to the ranking's size. The index refers to positions in the span it was built from; a
/// lookup checks the entry it finds, so a ranking rewritten since (without a rebuild) yields misses, not wrong answers.
/// <para>
/// Why a sort of its own: the build runs on the decision loop in every emergency, and the loop may only run code the
/// daemon's warm-up ran before it locked its memory (docs/reliability.md, "Under its own pressure"). The runtime's
/// primitive sort takes a different path by size — insertion sort up to 16 keys, then quicksort partitions, then a
/// heapsort fallback after bad pivots — so a warm-up on a small ranking left the partition code unmapped, and the
/// first emergency on a machine with more processes read it from disk (a major fault on the loop thread, seen in the
/// whole-guest test). This heapsort and lower-bound search run the same few instructions at every size, and
/// <see cref="WarmUp"/> runs all of them once on a fixed permutation.
/// </para>
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
        SortKeys(_keys.AsSpan(0, _count));
    }

    /// <summary>
    /// Runs the sort and the search on a fixed permutation of 64 keys (on the stack; the index itself is untouched), so
    /// that every instruction a build and a lookup of any size can run has run: for the warm-up before the memory lock.
    /// True when they gave the right answers (the keys in order, key 17 found where it belongs).
    /// </summary>
    public static bool WarmUp()
    {
        Span<long> keys = stackalloc long[64];
        for (int i = 0; i < keys.Length; i++)
        {
            // 37 is prime to 64: a permutation with both ascending and descending runs, so every branch of the sift is taken.
            keys[i] = (long)(i * 37 % keys.Length) << 32;
        }
        SortKeys(keys);
        bool ordered = true;
        for (int i = 1; i < keys.Length; i++)
        {
            ordered &= keys[i - 1] < keys[i];
        }
        return ordered && LowerBound(keys, 17L << 32) == 17 && LowerBound(keys, (17L << 32) + 1) == 18;
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
        for (int i = LowerBound(keys, (long)pid << 32); i < keys.Length && (keys[i] >> 32) == pid; i++)
        {
            int index = (int)(uint)keys[i];
            if (index < ranked.Length && ranked[index].Pid == pid && ranked[index].StartTimeTicks == startTimeTicks)
            {
                return index;
            }
        }
        return -1;
    }

    // Not inlined, this and the two below: the one copy of each that WarmUp runs is the copy Build and Find run.
    /// <summary>In-place ascending heapsort: O(n log n) with no size-dependent branch to another algorithm.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void SortKeys(Span<long> keys)
    {
        for (int root = keys.Length / 2 - 1; root >= 0; root--)
        {
            SiftDown(keys, root, keys.Length);
        }
        for (int end = keys.Length - 1; end > 0; end--)
        {
            (keys[0], keys[end]) = (keys[end], keys[0]);
            SiftDown(keys, 0, end);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void SiftDown(Span<long> keys, int root, int length)
    {
        long value = keys[root];
        while (true)
        {
            int child = (2 * root) + 1;
            if (child >= length)
            {
                break;
            }
            if (child + 1 < length && keys[child + 1] > keys[child])
            {
                child++;
            }
            if (keys[child] <= value)
            {
                break;
            }
            keys[root] = keys[child];
            root = child;
        }
        keys[root] = value;
    }

    /// <summary>The first position whose key is at least <paramref name="key"/> (the length when none is).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int LowerBound(ReadOnlySpan<long> keys, long key)
    {
        int low = 0, high = keys.Length;
        while (low < high)
        {
            int middle = low + ((high - low) >> 1);
            if (keys[middle] < key)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }
        return low;
    }
}
