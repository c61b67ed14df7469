using Reapd.Core.Daemon;

namespace Reapd.Core.Tests.Daemon;

/// <summary>Builds samples for the tables: a 1000 MiB scope unless told otherwise, no swap, no PSI.</summary>
internal static class Samples
{
    public const long MiB = 1L << 20;

    public static MemorySample At(long timeMs, long availableMiB, long totalMiB = 1000, long swapFreeMiB = 0, long swapTotalMiB = 0) =>
        new(timeMs, availableMiB * MiB, totalMiB * MiB, swapFreeMiB * MiB, swapTotalMiB * MiB, PsiReading.None);

    public static MemorySample WithFullStall(long timeMs, long availableMiB, long fullTotalUs) =>
        new(timeMs, availableMiB * MiB, 1000 * MiB, 0, 0, new PsiReading(true, fullTotalUs, fullTotalUs, 0, 0));

    public static readonly VictimId Victim = new(4242, 123456);
    public static readonly VictimId Other = new(4343, 223456);
}
