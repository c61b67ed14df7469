using Reapd.Linux.Kill;
using Reapd.Linux.Sensors;

namespace Reapd.Linux.Tests.Kill;

/// <summary>A started reaper thread and a wake set polling its completion eventfd, as the daemon's loop would hold them.</summary>
internal sealed class ReaperUnderTest : IDisposable
{
    private ReaperUnderTest(ReaperThread reaper)
    {
        Reaper = reaper;
        Wake = new WakeSet(1);
        Slot = Wake.Add(reaper.CompletionFd, WakeSet.Readable);
    }

    public ReaperThread Reaper { get; }

    public WakeSet Wake { get; }

    public int Slot { get; }

    public static ReaperUnderTest Start() =>
        new(ReaperThread.TryStart(out int errno) ?? throw new InvalidOperationException($"eventfd failed: errno {errno}"));

    public void Dispose()
    {
        Wake.Dispose();
        Reaper.Dispose();
    }
}
