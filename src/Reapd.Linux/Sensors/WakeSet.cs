using System.Runtime.InteropServices;

namespace Reapd.Linux.Sensors;

/// <summary>
/// The fds the daemon sleeps on, in one poll(2) call: PSI triggers (POLLPRI), cgroup eventfds and the stop eventfd
/// (POLLIN), the victim's pidfd (POLLIN once its thread group has exited, kernel.md C.4). Fixed capacity, native
/// array: waiting allocates nothing. The fds are owned by others; the set only borrows their numbers.
/// </summary>
public sealed unsafe class WakeSet : IDisposable
{
    private readonly Interop.PollFd* _fds;
    private readonly int _capacity;
    private int _count;

    public WakeSet(int capacity)
    {
        _capacity = capacity;
        _fds = (Interop.PollFd*)NativeMemory.AllocZeroed((nuint)capacity, (nuint)sizeof(Interop.PollFd));
    }

    public const short Readable = Interop.POLLIN;
    public const short Priority = Interop.POLLPRI;
    public const short Error = Interop.POLLERR;
    public const short Invalid = Interop.POLLNVAL;

    public int Count => _count;

    /// <summary>Adds an fd to wait on; returns its slot.</summary>
    public int Add(int fd, short events)
    {
        if (_count == _capacity)
        {
            throw new InvalidOperationException("wake set full");
        }
        _fds[_count] = new Interop.PollFd { Fd = fd, Events = events };
        return _count++;
    }

    /// <summary>Points a slot at another fd (or -1: poll ignores negative fds), e.g. the pidfd of the current victim.</summary>
    public void Set(int slot, int fd) => _fds[slot].Fd = fd;

    /// <summary>
    /// Sleeps until an fd is ready or <paramref name="timeoutMs"/> passes. Returns the number of ready fds (0: timeout);
    /// EINTR (a signal arrived) counts as 0. Other errors are returned negated.
    /// </summary>
    public int Wait(int timeoutMs)
    {
        for (int i = 0; i < _count; i++)
        {
            _fds[i].REvents = 0;
        }
        int ready = Interop.poll(_fds, (nuint)_count, timeoutMs);
        if (ready >= 0)
        {
            return ready;
        }
        Interop.Errno errno = Interop.LastErrno;
        return errno == Interop.Errno.EINTR ? 0 : -(int)errno;
    }

    /// <summary>The events that fired for a slot in the last wait (POLLIN, POLLPRI, POLLERR, POLLHUP...).</summary>
    public short Fired(int slot) => _fds[slot].REvents;

    public void Dispose() => NativeMemory.Free(_fds);
}
