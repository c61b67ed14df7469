using System.Runtime.CompilerServices;

namespace Reapd.Linux.Sensors;

/// <summary>
/// The executable's hot region: the managed functions the daemon ran after its start-up when it was profiled, with
/// every other method of reapd's own types among them, which src/Reapd/hot-path.order (made by tools/hot-path-order)
/// has the compiler link together between <see cref="First"/> and <see cref="Last"/> (docs/reliability.md, "The hot
/// path packed"). <see cref="FaultIn"/> maps the whole region before mlockall, so that a method of those types the
/// warm-up did not run — a branch only a real emergency takes — is resident and locked because it is in the region,
/// not because it happened to share a page with one the warm-up ran.
/// </summary>
public static unsafe class HotRegion
{
    /// <summary>Larger than this, the markers are not the ends of one packed region (the order was not applied).</summary>
    public const long MaxBytes = 4L << 20;

    /// <summary>
    /// Maps every page of the region now (one read of each; fault-around is off, so one page per read). Returns what
    /// was done, for the start event. Not under the JIT (a test host, `dotnet run`), nor in an executable linked
    /// without the order file (the markers not around a known hot method): then nothing is touched and the text says so.
    /// </summary>
    public static string FaultIn()
    {
        // Under the JIT a method's address is a stub on the runtime's heap, and nothing is laid out by the order.
        if (RuntimeFeature.IsDynamicCodeSupported)
        {
            return "hot region: none (not a native build)";
        }
        // Through a call the compiler does not inline: it otherwise compares the three addresses at compile time, by
        // values that are not the linked ones (measured: the check folded to "not found", the markers dropped).
        long first = Opaque((long)(delegate* managed<int>)&First);
        long last = Opaque((long)(delegate* managed<int>)&Last);
        // A method the daemon runs after its start-up, of another assembly: inside the region only when the order was
        // applied (without it the two markers, neighbours in their type, could still pass the other checks).
        long witness = Opaque((long)(delegate* managed<ReadOnlySpan<Reapd.Core.Selection.Candidate>, int>)&Reapd.Core.Selection.CandidateRanking.CountCandidates);
        if (last <= first || last - first > MaxBytes || witness <= first || witness >= last)
        {
            return "hot region not found (the executable was not linked in the order of src/Reapd/hot-path.order)";
        }
        long pageBytes = Environment.SystemPageSize;
        long pages = 0;
        for (long page = first & ~(pageBytes - 1); page <= last; page += pageBytes)
        {
            _ = Volatile.Read(ref *(byte*)page);
            pages++;
        }
        return $"hot region of {pages * pageBytes / 1024} KiB mapped";
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static long Opaque(long address) => address;

    // The region's two ends. Different bodies: the compiler folds identical ones into one symbol. Never inlined: only
    // a method of its own has an address of its own.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int First() => 0x486f_7431;

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static int Last() => 0x486f_7432;
}
