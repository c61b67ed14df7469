using System.Runtime.InteropServices;

namespace Reapd.Linux.Sensors;

/// <summary>
/// The fds the daemon sleeps on, in one poll(2) call: PSI triggers (POLLPRI), cgroup eventfds and the stop eventfd
/// (POLLIN), the victim's pidfd (POLLIN once its thread group has exited, kernel.md C.4). Fixed capacity, native
/// array: waiting allocates nothing. The fds are owned by others; the set only borrows their numbers. Every way a wait
/// can end is a <see cref="WakeOutcome"/>, never a silent timer wake-up. Dispose frees the array once; a second
/// Dispose does nothing; a wait after Dispose throws (a broken invariant).
/// </summary>
public sealed unsafe class WakeSet : IDisposable
{
    private Interop.PollFd* _fds;
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
        ObjectDisposedException.ThrowIf(_fds == null, this);
        if (_count == _capacity)
        {
            throw new InvalidOperationException("wake set full");
        }
        _fds[_count] = new Interop.PollFd { Fd = fd, Events = events };
        return _count++;
    }

    /// <summary>Points a slot at another fd (or -1: poll ignores negative fds), e.g. the pidfd of the current victim.</summary>
    public void Set(int slot, int fd)
    {
        ObjectDisposedException.ThrowIf(_fds == null, this);
        _fds[slot].Fd = fd;
    }

    /// <summary>The slot that held an invalid fd in the last wait that answered <see cref="WakeOutcome.InvalidFd"/>, else -1.</summary>
    public int InvalidSlot { get; private set; } = -1;

    /// <summary>The errno of the last wait that answered <see cref="WakeOutcome.Failed"/>, else 0.</summary>
    public int LastErrno { get; private set; }

    /// <summary>
    /// Sleeps until an fd is ready or <paramref name="timeoutMs"/> passes. <paramref name="ready"/> is the number of
    /// ready fds (0 unless Ready or InvalidFd). Allocation-free.
    /// </summary>
    public WakeOutcome Wait(int timeoutMs, out int ready)
    {
        ObjectDisposedException.ThrowIf(_fds == null, this);
        InvalidSlot = -1;
        LastErrno = 0;
        for (int i = 0; i < _count; i++)
        {
            _fds[i].REvents = 0;
        }
        ready = Interop.poll(_fds, (nuint)_count, timeoutMs);
        if (ready > 0)
        {
            for (int i = 0; i < _count; i++)
            {
                if ((_fds[i].REvents & Interop.POLLNVAL) != 0)
                {
                    InvalidSlot = i;
                    return WakeOutcome.InvalidFd;
                }
            }
            return WakeOutcome.Ready;
        }
        if (ready == 0)
        {
            return WakeOutcome.Timeout;
        }
        Interop.Errno errno = Interop.LastErrno;
        ready = 0;
        if (errno == Interop.Errno.EINTR)
        {
            return WakeOutcome.Interrupted;
        }
        LastErrno = (int)errno;
        return WakeOutcome.Failed;
    }

    /// <summary>The events that fired for a slot in the last wait (POLLIN, POLLPRI, POLLERR, POLLHUP...).</summary>
    public short Fired(int slot) => _fds == null ? (short)0 : _fds[slot].REvents;

    public void Dispose()
    {
        if (_fds != null)
        {
            NativeMemory.Free(_fds);
            _fds = null;
        }
    }
}
