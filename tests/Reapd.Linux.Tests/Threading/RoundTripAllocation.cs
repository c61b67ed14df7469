using System.Diagnostics;

namespace Reapd.Linux.Tests.Threading;

/// <summary>
/// Measures a worker's hand-over round trip (submit, wait for the completion eventfd, take) the way the allocation
/// tests do: warm up, then count the bytes the calling thread allocated over many trips, and the bytes the worker's
/// thread reports having allocated between the first and the last.
/// </summary>
internal static class RoundTripAllocation
{
    public readonly record struct Result(int Failed, long CallerBytes, long WorkerBytes, double MicrosecondsPerTrip);

    /// <param name="roundTrip">One whole round trip; true when it went as expected. It must not Assert (that may allocate).</param>
    /// <param name="workerAllocatedBytes">The worker thread's own count, read on the caller's thread.</param>
    public static Result Measure(Func<bool> roundTrip, Func<long> workerAllocatedBytes, int warmUpTrips, int trips)
    {
        int failed = 0;
        for (int i = 0; i < warmUpTrips; i++)
        {
            failed += roundTrip() ? 0 : 1;
        }
        long workerBefore = workerAllocatedBytes();
        long before = GC.GetAllocatedBytesForCurrentThread();
        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < trips; i++)
        {
            failed += roundTrip() ? 0 : 1;
        }
        double microseconds = Stopwatch.GetElapsedTime(start).TotalMicroseconds / trips;
        long callerBytes = GC.GetAllocatedBytesForCurrentThread() - before;
        return new Result(failed, callerBytes, workerAllocatedBytes() - workerBefore, microseconds);
    }
}
