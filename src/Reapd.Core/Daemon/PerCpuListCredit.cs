namespace Reapd.Core.Daemon;

/// <summary>
/// What a victim freed that the kernel's per-CPU free lists still hold, counted back into available memory. Freed
/// pages go to the freeing CPU's list before the buddy allocator's free lists, and the pages on those lists are in no
/// free-page counter: MemAvailable can stay where it was right after a victim's memory came back, and a reading at
/// the kill line would choose a second victim for memory that is free (docs/kernel.md, "Pages on the per-CPU lists
/// are free to neither").
///
/// Only the lists' growth since the victim was signalled counts, and never more than the victim held: what the lists
/// hold at rest is left out, as before, so the lines are not moved for the first kill. The credit lasts while the
/// victim is in flight and, after it settles, until a reading finds the lists back at (or under) their size at the
/// signal — an allocation that takes a listed page, or a drain to the buddy lists (which MemAvailable then counts),
/// shrinks the credit by that page — or for <see cref="LastsAfterReleaseMs"/> at most. A second victim signalled
/// while a credit lasts keeps the first base and adds its own bound. Pure arithmetic; the sensor reads the lists.
/// </summary>
public sealed class PerCpuListCredit
{
    /// <summary>The longest a credit outlasts its victim (measured: the lists can keep a victim's pages for seconds).</summary>
    public const long LastsAfterReleaseMs = 30_000;

    private long _baseBytes = -1;
    private long _capBytes;
    private long _releasedMs = long.MinValue;

    /// <summary>Whether a credit is running: only then does the sensor read the lists.</summary>
    public bool Active => _baseBytes >= 0;

    /// <summary>
    /// A victim was signalled: <paramref name="listBytes"/> is what the lists held just after the signal (-1: they could
    /// not be read, and no credit starts), <paramref name="heldBytes"/> the most the victim can give back.
    /// </summary>
    public void Begin(long listBytes, long heldBytes)
    {
        _releasedMs = long.MinValue;
        if (Active)
        {
            _capBytes += Math.Max(0, heldBytes);
            return;
        }
        if (listBytes < 0)
        {
            return;
        }
        _baseBytes = listBytes;
        _capBytes = Math.Max(0, heldBytes);
    }

    /// <summary>The victim is no longer in flight (settled, or let go): the credit's end clock starts, once.</summary>
    public void Released(long nowMs)
    {
        if (Active && _releasedMs == long.MinValue)
        {
            _releasedMs = nowMs;
        }
    }

    /// <summary>
    /// The bytes to add to available memory for a reading of the lists at <paramref name="nowMs"/> (-1: it failed,
    /// and the credit ends: a failed read is not repeated on every cycle). 0 when no credit runs.
    /// </summary>
    public long Credit(long listBytes, long nowMs)
    {
        if (!Active)
        {
            return 0;
        }
        if (listBytes < 0)
        {
            End();
            return 0;
        }
        long gain = listBytes - _baseBytes;
        if (_releasedMs != long.MinValue && (gain <= 0 || nowMs - _releasedMs >= LastsAfterReleaseMs))
        {
            End();
            return 0;
        }
        return Math.Clamp(gain, 0, _capBytes);
    }

    private void End()
    {
        _baseBytes = -1;
        _capBytes = 0;
        _releasedMs = long.MinValue;
    }
}
