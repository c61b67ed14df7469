namespace Reapd.Core.Daemon;

/// <summary>
/// What a victim freed that the kernel's per-CPU free lists still hold, counted back into available memory. Freed
/// pages go to the freeing CPU's list before the buddy allocator's free lists, and the pages on those lists are in no
/// free-page counter: MemAvailable can stay where it was right after a victim's memory came back, and a reading at
/// the kill line would choose a second victim for memory that is free (docs/kernel.md, "Pages on the per-CPU lists
/// are free to neither").
///
/// Only the lists' growth since the victim was signalled counts, and never more than the victim held: what the lists
/// hold at rest is left out, as before, so the lines are not moved for the first kill. Moving pages between the lists
/// and the buddy allocator's (a refill, a drain) moves MemAvailable by as much the other way, so the sum is unchanged;
/// an allocation that takes a listed page lowers it, as it should. The credit lasts while the victim is in flight and,
/// after it settles, until a reading finds the lists back at (or under) their base, or for
/// <see cref="LastsAfterReleaseMs"/> at most. A later signal (an escalation, another victim) while it runs lowers the
/// base to the lists' size then, if smaller: pages taken from the lists in between would otherwise hide that many of
/// the next frees. A new victim adds its bound; an escalation raises the bound to what the victim holds now.
///
/// And it counts only while free memory is above what the zones keep at their low watermarks (each zone's low watermark
/// plus the lowmem reserve a higher zone's allocation must leave it, at most its managed pages). A listed page goes only to allocations on
/// its own CPU; another CPU gets it when the kernel drains the lists, which it does after a round of direct reclaim
/// that made progress. Below the low watermarks the kernel reclaims, and reapd must not count on pages the kernel may
/// not reach before its own OOM killer runs. Pure arithmetic; the sensor reads the lists.
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
    /// A signal was sent: <paramref name="listBytes"/> is what the lists held at it (-1: they could not be read, and no
    /// credit starts), <paramref name="heldBytes"/> the most the victim can give back. <paramref name="newVictim"/>:
    /// its first signal (its bound is added), not an escalation of the victim in flight (the bound is raised to it).
    /// </summary>
    public void Begin(long listBytes, long heldBytes, bool newVictim)
    {
        _releasedMs = long.MinValue;
        heldBytes = Math.Max(0, heldBytes);
        if (!Active)
        {
            if (listBytes >= 0)
            {
                _baseBytes = listBytes;
                _capBytes = heldBytes;
            }
            return;
        }
        if (listBytes >= 0)
        {
            _baseBytes = Math.Min(_baseBytes, listBytes);
        }
        _capBytes = newVictim ? _capBytes + heldBytes : Math.Max(_capBytes, heldBytes);
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
    /// The bytes to add to available memory for a reading at <paramref name="nowMs"/> of the lists
    /// (<paramref name="listBytes"/>; -1: the read failed, and the credit ends, so a failed read is not repeated on
    /// every cycle), of free memory (MemFree) and of what the zones keep free at their low watermarks (each zone's low
    /// watermark and lowmem reserve). 0 when no credit runs, and while free memory is at or below that.
    /// </summary>
    public long Credit(long listBytes, long freeBytes, long lowWatermarkBytes, long nowMs)
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
        return freeBytes > lowWatermarkBytes ? Math.Clamp(gain, 0, _capBytes) : 0;
    }

    /// <summary>Ends the credit now (the start-up's warm-up kill, whose victim's memory is not the machine's business).</summary>
    public void End()
    {
        _baseBytes = -1;
        _capBytes = 0;
        _releasedMs = long.MinValue;
    }
}
