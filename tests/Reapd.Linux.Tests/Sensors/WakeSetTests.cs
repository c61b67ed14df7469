using Reapd.Linux.Sensors;
using Reapd.Testing;

namespace Reapd.Linux.Tests.Sensors;

public sealed class WakeSetTests
{
    [Fact]
    public void A_signalled_eventfd_wakes_the_set_and_draining_quiets_it()
    {
        using EventFdHandle eventFd = EventFdHandle.Create(out int errno) ?? throw new InvalidOperationException($"eventfd: {errno}");
        using var wake = new WakeSet(4);
        int slot = wake.Add(eventFd.Fd, WakeSet.Readable);
        Assert.Equal(WakeOutcome.Timeout, wake.Wait(0, out _));

        eventFd.Signal();
        eventFd.Signal();
        Assert.Equal(WakeOutcome.Ready, wake.Wait(1000, out int ready));
        Assert.Equal(1, ready);
        Assert.True((wake.Fired(slot) & WakeSet.Readable) != 0);
        Assert.Equal(2ul, eventFd.Drain());
        Assert.Equal(WakeOutcome.Timeout, wake.Wait(0, out _));
    }

    [Fact]
    public void A_slot_set_to_minus_one_is_ignored()
    {
        using EventFdHandle eventFd = EventFdHandle.Create(out _)!;
        using var wake = new WakeSet(2);
        int slot = wake.Add(eventFd.Fd, WakeSet.Readable);
        eventFd.Signal();
        wake.Set(slot, -1);
        Assert.Equal(WakeOutcome.Timeout, wake.Wait(0, out _));
        wake.Set(slot, eventFd.Fd);
        Assert.Equal(WakeOutcome.Ready, wake.Wait(0, out _));
    }

    [Fact]
    public void Waiting_allocates_nothing()
    {
        using EventFdHandle eventFd = EventFdHandle.Create(out _)!;
        using var wake = new WakeSet(2);
        wake.Add(eventFd.Fd, WakeSet.Readable);
        eventFd.Signal();
        wake.Wait(0, out _);
        eventFd.Drain();
        // 100 wake-ups, each measured on its own (ThreadAllocation).
        Assert.Equal(0, ThreadAllocation.Measure(100, () =>
        {
            eventFd.Signal();
            wake.Wait(0, out _);
            eventFd.Drain();
        }));
    }

    [Fact]
    public void A_slot_holding_a_closed_fd_is_reported_as_an_invalid_fd_with_its_slot_not_as_a_wake_up()
    {
        using EventFdHandle live = EventFdHandle.Create(out _)!;
        using var wake = new WakeSet(2);
        wake.Add(live.Fd, WakeSet.Readable);
        // A high number, the file's only one: a small number closed could be handed to another test thread's next
        // file at once.
        int number;
        using (EventFdHandle eventFd = EventFdHandle.Create(out _)!)
        {
            number = HighFd.Duplicate(eventFd.Fd);
        }
        int slot = wake.Add(number, WakeSet.Readable);
        HighFd.Close(number);

        Assert.Equal(WakeOutcome.InvalidFd, wake.Wait(1000, out int ready));
        Assert.Equal(1, ready);
        Assert.Equal(slot, wake.InvalidSlot);
        wake.Set(slot, -1);
        Assert.Equal(WakeOutcome.Timeout, wake.Wait(0, out _));
        Assert.Equal(-1, wake.InvalidSlot);
    }

    [Fact]
    public void Disposing_a_wake_set_twice_is_harmless_and_a_wait_after_it_is_refused()
    {
        var wake = new WakeSet(2);
        wake.Dispose();
        wake.Dispose();
        Assert.Throws<ObjectDisposedException>(() => wake.Wait(0, out _));
        Assert.Equal(0, wake.Fired(0));
    }
}
