using Reapd.Linux.Sensors;

namespace Reapd.Linux.Tests.Sensors;

public sealed class WakeSetTests
{
    [Fact]
    public void A_signalled_eventfd_wakes_the_set_and_draining_quiets_it()
    {
        using EventFdHandle eventFd = EventFdHandle.Create(out int errno) ?? throw new InvalidOperationException($"eventfd: {errno}");
        using var wake = new WakeSet(4);
        int slot = wake.Add(eventFd.Fd, WakeSet.Readable);
        Assert.Equal(0, wake.Wait(0));

        eventFd.Signal();
        eventFd.Signal();
        Assert.Equal(1, wake.Wait(1000));
        Assert.True((wake.Fired(slot) & WakeSet.Readable) != 0);
        Assert.Equal(2ul, eventFd.Drain());
        Assert.Equal(0, wake.Wait(0));
    }

    [Fact]
    public void A_slot_set_to_minus_one_is_ignored()
    {
        using EventFdHandle eventFd = EventFdHandle.Create(out _)!;
        using var wake = new WakeSet(2);
        int slot = wake.Add(eventFd.Fd, WakeSet.Readable);
        eventFd.Signal();
        wake.Set(slot, -1);
        Assert.Equal(0, wake.Wait(0));
        wake.Set(slot, eventFd.Fd);
        Assert.Equal(1, wake.Wait(0));
    }

    [Fact]
    public void Waiting_allocates_nothing()
    {
        using EventFdHandle eventFd = EventFdHandle.Create(out _)!;
        using var wake = new WakeSet(2);
        wake.Add(eventFd.Fd, WakeSet.Readable);
        eventFd.Signal();
        wake.Wait(0);
        eventFd.Drain();
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            eventFd.Signal();
            wake.Wait(0);
            eventFd.Drain();
        }
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}
