namespace Reapd.Core.Proc;

/// <summary>
/// Where the kernel laid out one mm (/proc/PID/stat fields 28, 47, 48, 50: start of stack, heap, arguments,
/// environment). Processes that share an mm show the same layout; an exec replaces the mm and, with address-space
/// randomisation, the layout. The kill path uses it to tell that a sharer still holds the mm it was found with when
/// the victim can no longer be compared with kcmp (docs/kill-protocol.md, step 4).
/// </summary>
public readonly record struct MmLayout(ulong StartStack, ulong StartBrk, ulong ArgStart, ulong EnvStart)
{
    /// <summary>All zero: no mm, hidden from the reader, or an old kernel; it then proves nothing.</summary>
    public bool IsKnown => StartStack != 0 || StartBrk != 0 || ArgStart != 0 || EnvStart != 0;
}
