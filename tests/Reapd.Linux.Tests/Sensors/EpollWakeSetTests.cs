using Reapd.Linux.Sensors;
using Reapd.Testing;

namespace Reapd.Linux.Tests.Sensors;

/// <summary>
/// The daemon loop's epoll wake set: the outcomes of <see cref="WakeSet"/> (poll), with each fd registered once. The
/// cases where epoll differs from poll are the ones tested hardest: a closed fd, a number reused for another file, a
/// file epoll cannot watch.
/// </summary>
public sealed class EpollWakeSetTests
{
    private static EpollWakeSet Create(int capacity) =>
        EpollWakeSet.TryCreate(capacity, out int errno) ?? throw new InvalidOperationException($"epoll_create1: errno {errno}");

    [Fact]
    public void A_signalled_eventfd_wakes_the_set_and_draining_quiets_it()
    {
        using EventFdHandle eventFd = EventFdHandle.Create(out int errno) ?? throw new InvalidOperationException($"eventfd: {errno}");
        using EventFdHandle other = EventFdHandle.Create(out _)!;
        using EpollWakeSet wake = Create(4);
        int otherSlot = wake.Add(other.Fd, WakeSet.Readable);
        int slot = wake.Add(eventFd.Fd, WakeSet.Readable);
        Assert.Equal(WakeOutcome.Timeout, wake.Wait(0, out _));

        eventFd.Signal();
        eventFd.Signal();
        Assert.Equal(WakeOutcome.Ready, wake.Wait(1000, out int ready));
        Assert.Equal(1, ready);
        Assert.True((wake.Fired(slot) & WakeSet.Readable) != 0);
        Assert.Equal(0, wake.Fired(otherSlot));
        Assert.Equal(2ul, eventFd.Drain());
        // Level-triggered, as poll: drained, it no longer wakes the set.
        Assert.Equal(WakeOutcome.Timeout, wake.Wait(0, out _));
        Assert.Equal(0, wake.Fired(slot));
    }

    [Fact]
    public void A_wait_with_a_slot_it_cannot_watch_still_reports_the_sources_that_are_ready()
    {
        // As poll answered POLLNVAL beside every other ready fd: the reaper's answer, a PSI trigger or the stop eventfd
        // that fired in the same wait must not wait for the next one (review finding: epoll's wait returned at once).
        using EventFdHandle ready = EventFdHandle.Create(out _)!;
        using EpollWakeSet wake = Create(3);
        int readySlot = wake.Add(ready.Fd, WakeSet.Readable);
        int badSlot = wake.Add(-1, WakeSet.Readable);
        // A number no process can have open (far above any RLIMIT_NOFILE): EBADF at registration, whatever other
        // tests running alongside open meanwhile.
        wake.Set(badSlot, int.MaxValue);
        ready.Signal();
        Assert.Equal(WakeOutcome.InvalidFd, wake.Wait(1000, out int fired));
        Assert.Equal(2, fired);
        Assert.Equal(badSlot, wake.InvalidSlot);
        Assert.Equal(WakeSet.Invalid, wake.Fired(badSlot));
        Assert.True((wake.Fired(readySlot) & WakeSet.Readable) != 0, "the ready eventfd was not collected with the invalid slot");
        // Pointed elsewhere, the slot no longer ends the wait.
        Assert.Equal(1ul, ready.Drain());
        wake.Set(badSlot, -1);
        Assert.Equal(WakeOutcome.Timeout, wake.Wait(0, out _));
    }

    [Fact]
    public void Two_sources_that_fire_together_are_both_reported()
    {
        using EventFdHandle first = EventFdHandle.Create(out _)!;
        using EventFdHandle second = EventFdHandle.Create(out _)!;
        using EpollWakeSet wake = Create(2);
        int a = wake.Add(first.Fd, WakeSet.Readable);
        int b = wake.Add(second.Fd, WakeSet.Readable);
        first.Signal();
        second.Signal();
        Assert.Equal(WakeOutcome.Ready, wake.Wait(1000, out int ready));
        Assert.Equal(2, ready);
        Assert.NotEqual(0, wake.Fired(a));
        Assert.NotEqual(0, wake.Fired(b));
    }

    [Fact]
    public void A_slot_set_to_minus_one_is_ignored_and_set_back_is_watched_again()
    {
        using EventFdHandle eventFd = EventFdHandle.Create(out _)!;
        using EpollWakeSet wake = Create(2);
        int slot = wake.Add(eventFd.Fd, WakeSet.Readable);
        eventFd.Signal();
        wake.Set(slot, -1);
        Assert.Equal(WakeOutcome.Timeout, wake.Wait(0, out _));
        wake.Set(slot, eventFd.Fd);
        Assert.Equal(WakeOutcome.Ready, wake.Wait(0, out _));
        // The same fd again (every in-flight cycle sets the victim's slot): still registered once, still watched.
        wake.Set(slot, eventFd.Fd);
        Assert.Equal(WakeOutcome.Ready, wake.Wait(0, out int ready));
        Assert.Equal(1, ready);
    }

    [Fact]
    public void A_number_closed_and_reused_for_another_file_is_watched_when_the_slot_is_set_again()
    {
        using EpollWakeSet wake = Create(2);
        EventFdHandle first = EventFdHandle.Create(out _)!;
        int number = first.Fd;
        int slot = wake.Add(number, WakeSet.Readable);
        // The owner closes it (a settled victim's pidfd): the kernel drops the registration with the file.
        first.Dispose();
        using EventFdHandle second = EventFdHandle.Create(out _)!;
        Assert.SkipUnless(second.Fd == number, $"the kernel gave the new eventfd fd {second.Fd}, not the freed {number} (another thread opened a file meanwhile)");
        second.Signal();
        wake.Set(slot, second.Fd);
        Assert.Equal(WakeOutcome.Ready, wake.Wait(1000, out _));
        Assert.True((wake.Fired(slot) & WakeSet.Readable) != 0);
    }

    [Fact]
    public void A_closed_fd_set_again_is_reported_as_an_invalid_fd_with_its_slot_until_the_slot_is_cleared()
    {
        using EventFdHandle live = EventFdHandle.Create(out _)!;
        using EpollWakeSet wake = Create(2);
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
        // The loop sets the victim's slot every cycle: that is where a number closed under it shows.
        wake.Set(slot, number);

        Assert.Equal(WakeOutcome.InvalidFd, wake.Wait(1000, out int ready));
        Assert.Equal(1, ready);
        Assert.Equal(slot, wake.InvalidSlot);
        Assert.Equal(WakeSet.Invalid, wake.Fired(slot));
        Assert.Equal(WakeOutcome.InvalidFd, wake.Wait(0, out _));
        wake.Set(slot, -1);
        Assert.Equal(WakeOutcome.Timeout, wake.Wait(0, out _));
        Assert.Equal(-1, wake.InvalidSlot);
    }

    [Fact]
    public void A_file_epoll_cannot_watch_is_reported_as_an_invalid_fd()
    {
        string path = Path.GetTempFileName();
        try
        {
            using FileStream regular = File.OpenRead(path);
            using EpollWakeSet wake = Create(1);
            int slot = wake.Add((int)regular.SafeFileHandle.DangerousGetHandle(), WakeSet.Readable);
            Assert.Equal(WakeOutcome.InvalidFd, wake.Wait(0, out _));
            Assert.Equal(slot, wake.InvalidSlot);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Waiting_and_setting_the_same_fd_allocate_nothing()
    {
        using EventFdHandle eventFd = EventFdHandle.Create(out _)!;
        using EventFdHandle pidFdStandIn = EventFdHandle.Create(out _)!;
        using EpollWakeSet wake = Create(2);
        int slot = wake.Add(eventFd.Fd, WakeSet.Readable);
        int victim = wake.Add(-1, WakeSet.Readable);
        eventFd.Signal();
        wake.Wait(0, out _);
        eventFd.Drain();
        wake.Set(victim, pidFdStandIn.Fd);
        wake.Set(victim, -1);
        // 100 rounds, each measured on its own (ThreadAllocation).
        Assert.Equal(0, ThreadAllocation.Measure(100, () =>
        {
            eventFd.Signal();
            wake.Wait(0, out _);
            eventFd.Drain();
            wake.Set(slot, eventFd.Fd);
            wake.Wait(0, out _);
        }));
    }

    [Fact]
    public void Disposing_twice_is_harmless_and_a_wait_after_it_is_refused()
    {
        EpollWakeSet wake = Create(2);
        wake.Dispose();
        wake.Dispose();
        Assert.Throws<ObjectDisposedException>(() => wake.Wait(0, out _));
        Assert.Equal(0, wake.Fired(0));
    }
}
