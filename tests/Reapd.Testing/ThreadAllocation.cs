using System.Runtime.CompilerServices;

namespace Reapd.Testing;

/// <summary>
/// Measures what a region of code allocates on the calling thread, for the tests that assert "allocates nothing".
///
/// <see cref="GC.GetAllocatedBytesForCurrentThread"/> alone is not a reliable witness under load. It counts the
/// thread's allocation context up to its limit, less the part not yet used; when the runtime retires that context
/// from outside during the region, the abandoned tail is counted as if the thread had allocated it. Measured in
/// tests/Reapd.Core.Tests while RulePropertyTests ran beside the fuzz targets (CsCheck on several thread-pool
/// threads): regions that run no managed allocation reported 16 to 8,176 bytes (never more than the runtime's 8 KiB
/// allocation quantum), with no method compiled on the thread (JitInfo) and no collection (GC.CollectionCount), also
/// with tiered compilation off; and the thread's next object lay megabytes away from the one allocated just before
/// the region instead of right after it. See docs/reliability.md, "Measuring allocation in tests".
///
/// So each measurement is bracketed by two small objects. When the thread kept its allocation context through the
/// region, the second lies exactly where the first ended plus what the region allocated, and the reading stands,
/// whatever it is. When the context was replaced (a retirement, a collection, or a real allocation that needed a new
/// context) the reading is not trusted and the region runs again, up to <see cref="Attempts"/> times; the last
/// reading stands. A region that really allocates allocates on every run, so it still fails: nothing is excused, a
/// disturbed reading is only re-taken. Regions must therefore be repeatable.
/// </summary>
public static class ThreadAllocation
{
    /// <summary>How many times a region is run when its readings keep being disturbed.</summary>
    public const int Attempts = 4;

    /// <summary>A span-taking region (a parser run on one input), so spans need no capture.</summary>
    public delegate void SpanRegion(ReadOnlySpan<byte> input);

    /// <summary>The bytes <paramref name="region"/> allocates on this thread (see the type's comment).</summary>
    public static long Measure(Action region)
    {
        long allocated = 0;
        for (int attempt = 0; attempt < Attempts; attempt++)
        {
            object first = new();
            nint firstAddress = AddressOf(first);
            long before = GC.GetAllocatedBytesForCurrentThread();
            region();
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (KeptContext(firstAddress, allocated))
            {
                return allocated;
            }
        }
        return allocated;
    }

    /// <summary>
    /// The bytes <paramref name="region"/> allocates over <paramref name="times"/> runs, each measured on its own.
    /// Long regions are measured in short pieces: on a loaded machine a region of tens of milliseconds was disturbed
    /// on every one of its attempts (PsiFullStallTrackerTests' 99,000 observations: 8,152 bytes after four), a piece
    /// of a few microseconds almost never is; a piece that allocates still allocates in every run.
    /// </summary>
    public static long Measure(int times, Action region)
    {
        long allocated = 0;
        for (int i = 0; i < times; i++)
        {
            allocated += Measure(region);
        }
        return allocated;
    }

    /// <summary>The bytes <paramref name="region"/> allocates on this thread when run on <paramref name="input"/>.</summary>
    public static long Measure(ReadOnlySpan<byte> input, SpanRegion region)
    {
        long allocated = 0;
        for (int attempt = 0; attempt < Attempts; attempt++)
        {
            object first = new();
            nint firstAddress = AddressOf(first);
            long before = GC.GetAllocatedBytesForCurrentThread();
            region(input);
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (KeptContext(firstAddress, allocated))
            {
                return allocated;
            }
        }
        return allocated;
    }

    /// <summary>
    /// True when an object allocated now lies right after the one allocated before the region plus what the region
    /// allocated: the thread bump-allocated from one context throughout, so the counter saw only its own allocations.
    /// </summary>
    private static bool KeptContext(nint firstAddress, long allocated)
    {
        object second = new();
        return AddressOf(second) - firstAddress == EmptyObjectBytes + allocated;
    }

    /// <summary>An object with no fields: header, method table pointer and the minimum payload slot.</summary>
    private static nint EmptyObjectBytes => 3 * IntPtr.Size;

    /// <summary>The object's current address. A collection that moves it between the two reads fails the check, which costs a rerun, never a wrong pass.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static nint AddressOf(object o) => Unsafe.As<object, nint>(ref o);
}
