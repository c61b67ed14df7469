using System.Diagnostics;
using Reapd.Testing;

namespace Reapd.Linux.Tests.Threading;

/// <summary>
/// Measures a worker's hand-over round trip (submit, wait for the completion eventfd, take) the way the allocation
/// tests do: warm up, then count the bytes the calling thread allocated over many trips, each trip measured on its own
/// with <see cref="ThreadAllocation"/> (a trip whose reading was disturbed is made again, so more trips than asked for
/// may run: <see cref="Result.Trips"/> says how many), and the bytes the worker's thread reports having allocated
/// between the first and the last. The worker's own count is its raw counter, read on its thread after each job: the
/// bracket cannot be put there without making the worker allocate.
/// </summary>
internal static class RoundTripAllocation
{
    public readonly record struct Result(int Failed, int Trips, long CallerBytes, long WorkerBytes, double MicrosecondsPerTrip);

    /// <param name="roundTrip">One whole round trip; true when it went as expected. It must not Assert (that may allocate).</param>
    /// <param name="workerAllocatedBytes">The worker thread's own count, read on the caller's thread.</param>
    public static Result Measure(Func<bool> roundTrip, Func<long> workerAllocatedBytes, int warmUpTrips, int trips)
    {
        int failed = 0;
        for (int i = 0; i < warmUpTrips; i++)
        {
            failed += roundTrip() ? 0 : 1;
        }
        int measured = 0;
        long workerBefore = workerAllocatedBytes();
        long start = Stopwatch.GetTimestamp();
        long callerBytes = ThreadAllocation.Measure(trips, () =>
        {
            failed += roundTrip() ? 0 : 1;
            measured++;
        });
        double microseconds = Stopwatch.GetElapsedTime(start).TotalMicroseconds / measured;
        return new Result(failed, measured, callerBytes, workerAllocatedBytes() - workerBefore, microseconds);
    }
}
