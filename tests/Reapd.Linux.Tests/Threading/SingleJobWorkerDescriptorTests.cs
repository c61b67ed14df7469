using Reapd.Testing;

namespace Reapd.Linux.Tests.Threading;

/// <summary>A worker that cannot get its eventfds: the refusal is a value with the errno, and nothing stays open.</summary>
[Collection(nameof(NoParallelCollection))]
public sealed class SingleJobWorkerDescriptorTests
{
    private const int EMFILE = 24;

    [Fact]
    public void A_worker_refused_its_second_eventfd_starts_no_thread_reports_EMFILE_and_closes_the_first()
    {
        // Room for exactly one fd: the first eventfd is created, the second is refused.
        (bool started, int errno, bool roomAfter) = OpenFilesLimit.WithFreeDescriptors(1, () =>
        {
            TestWorker? worker = TestWorker.TryStart(out int e);
            worker?.Dispose();
            // The one free number is free again only if the first eventfd was closed on the way out.
            bool room;
            try
            {
                using Microsoft.Win32.SafeHandles.SafeFileHandle probe = File.OpenHandle("/dev/null");
                room = true;
            }
            catch (IOException)
            {
                room = false;
            }
            return (worker is not null, e, room);
        });

        Assert.False(started);
        Assert.Equal(EMFILE, errno);
        Assert.True(roomAfter, "the first eventfd was left open when the second was refused");
    }
}
