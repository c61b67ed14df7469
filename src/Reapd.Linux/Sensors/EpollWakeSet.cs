using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Reapd.Linux.Sensors;

/// <summary>
/// The daemon loop's wake set on one epoll instance: the same slots, events and outcomes as <see cref="WakeSet"/>,
/// but each fd is registered once (epoll_ctl) instead of on every wait. poll(2) adds and removes a wait-queue entry on
/// every fd at every call and, when it times out, calls each fd's ->poll a second time; an idle loop that sleeps a
/// second at a time paid that for all of its fds on every wake-up (docs/daemon.md, "Idle cost"). epoll_wait on a set
/// where nothing fired only sleeps.
///
/// What stays as with poll: a slot holding a number that is no open fd, or a file epoll cannot watch, is reported once
/// as <see cref="WakeOutcome.InvalidFd"/> (poll's POLLNVAL) with <see cref="InvalidSlot"/> and
/// <see cref="Fired"/> = <see cref="WakeSet.Invalid"/>, until the caller points the slot elsewhere; POLLERR and
/// POLLHUP come as they do from poll (epoll always reports them). What differs: the kernel drops a registration when
/// the last reference to its file is closed, so a number closed and reused for another file (a settled victim's
/// pidfd, then the next victim's) is not watched by the old registration. <see cref="Set"/> with the number a slot
/// already holds therefore checks the registration (EPOLL_CTL_MOD; ENOENT: registered anew). Calling ->poll at
/// EPOLL_CTL_ADD or MOD consumes a PSI trigger's pending event (psi_trigger_poll clears it), so PSI slots are
/// registered once, at start, and never modified.
///
/// Fixed capacity, arrays allocated once: waiting allocates nothing. The fds are owned by others (the set only
/// borrows their numbers); the epoll fd is the set's own. Dispose closes it once; a wait after Dispose throws.
/// </summary>
public sealed unsafe class EpollWakeSet : IDisposable
{
    private int _epfd;
    private readonly int _capacity;
    private int _count;
    private readonly int[] _fds;
    private readonly short[] _events;
    private readonly short[] _fired;
    private readonly bool[] _registered;
    private readonly bool[] _invalid;
    private readonly int _eventBytes = Interop.EpollEventBytes;
    private readonly int _dataOffset = Interop.EpollDataOffset;
    private byte* _ready;

    private EpollWakeSet(int epfd, int capacity)
    {
        _epfd = epfd;
        _capacity = capacity;
        _fds = new int[capacity];
        _events = new short[capacity];
        _fired = new short[capacity];
        _registered = new bool[capacity];
        _invalid = new bool[capacity];
        _ready = (byte*)NativeMemory.AllocZeroed((nuint)capacity, (nuint)_eventBytes);
    }

    /// <summary>A set of <paramref name="capacity"/> slots on a new epoll instance; null with the errno when the kernel refuses one (EMFILE, ENOMEM).</summary>
    public static EpollWakeSet? TryCreate(int capacity, out int errno)
    {
        int epfd = Interop.epoll_create1(Interop.EPOLL_CLOEXEC);
        errno = epfd < 0 ? (int)Interop.LastErrno : 0;
        return epfd < 0 ? null : new EpollWakeSet(epfd, capacity);
    }

    public int Count => _count;

    /// <summary>The slot whose fd could not be registered, in the last wait that answered <see cref="WakeOutcome.InvalidFd"/>; else -1.</summary>
    public int InvalidSlot { get; private set; } = -1;

    /// <summary>The errno of the last wait that answered <see cref="WakeOutcome.Failed"/>, else 0.</summary>
    public int LastErrno { get; private set; }

    /// <summary>Adds an fd (or -1: nothing yet) to wait on for <paramref name="events"/> (POLLIN, POLLPRI); returns its slot.</summary>
    public int Add(int fd, short events)
    {
        ObjectDisposedException.ThrowIf(_epfd < 0, this);
        if (_count == _capacity)
        {
            throw new InvalidOperationException("wake set full");
        }
        int slot = _count++;
        _fds[slot] = fd;
        _events[slot] = events;
        // A source added once (a PSI trigger, the stop eventfd) that the kernel cannot take now is reported as
        // invalid, as any other refusal: the loop then warns and stops counting on it (a PSI trigger dropped means the
        // pressure file is read on every cycle). Only a slot the loop sets again may wait unwatched for a retry.
        if (fd >= 0 && !Register(slot, fd))
        {
            _invalid[slot] = true;
        }
        return slot;
    }

    /// <summary>
    /// Points a slot at another fd (or -1: nothing), e.g. the pidfd of the current victim: the old fd's registration
    /// is removed (already gone if it was closed first), the new one's made. The same number again is checked: it may
    /// be a new file under a reused number.
    /// </summary>
    public void Set(int slot, int fd)
    {
        ObjectDisposedException.ThrowIf(_epfd < 0, this);
        int old = _fds[slot];
        if (old == fd)
        {
            // ENOENT from the check: the file registered under this number was closed (which removed it) and the number
            // reused. Not registered (the kernel lacked the memory for it, see Register): tried again.
            if (fd >= 0 && !_invalid[slot] && (!_registered[slot] || Control(Interop.EPOLL_CTL_MOD, fd, slot) != 0))
            {
                _registered[slot] = false;
                _ = Register(slot, fd);
            }
            return;
        }
        if (old >= 0 && _registered[slot])
        {
            // Fails with EBADF or ENOENT when the owner closed the fd first: the kernel removed it then.
            _ = Control(Interop.EPOLL_CTL_DEL, old, slot);
        }
        _registered[slot] = false;
        _invalid[slot] = false;
        _fds[slot] = fd;
        if (fd >= 0)
        {
            _ = Register(slot, fd);
        }
    }

    /// <summary>
    /// EPOLL_CTL_ADD. False when the kernel could not take it now: ENOMEM (each registration is kernel memory, charged
    /// to reapd's cgroup) or ENOSPC (the user's max_user_watches) — nothing wrong with the fd; the slot stays unwatched,
    /// not invalid (an invalid slot ends every wait at once, and the loop, which points the victim's slot at its pidfd
    /// again each cycle, would spin), and every wait tries it again before it sleeps. Any other refusal — EBADF (no
    /// open fd), EPERM (a file epoll cannot watch), EEXIST (another slot holds it: a caller's bug) — marks the slot
    /// invalid, reported by the next wait as poll's POLLNVAL was.
    /// </summary>
    private bool Register(int slot, int fd)
    {
        if (Control(Interop.EPOLL_CTL_ADD, fd, slot) == 0)
        {
            _registered[slot] = true;
            return true;
        }
        Interop.Errno errno = Interop.LastErrno;
        if (errno is not (Interop.Errno.ENOMEM or Interop.Errno.ENOSPC))
        {
            _invalid[slot] = true;
        }
        return false;
    }

    private int Control(int op, int fd, int slot)
    {
        byte* ev = stackalloc byte[16];
        Unsafe.WriteUnaligned(ev, (uint)(ushort)_events[slot]);
        Unsafe.WriteUnaligned(ev + _dataOffset, (ulong)slot);
        return Interop.epoll_ctl(_epfd, op, fd, ev);
    }

    /// <summary>
    /// Sleeps until a registered fd is ready or <paramref name="timeoutMs"/> passes. <paramref name="ready"/> is the
    /// number of slots that fired (0 unless Ready or InvalidFd). Allocation-free.
    /// </summary>
    public WakeOutcome Wait(int timeoutMs, out int ready)
    {
        ObjectDisposedException.ThrowIf(_epfd < 0, this);
        InvalidSlot = -1;
        LastErrno = 0;
        ready = 0;
        for (int i = 0; i < _count; i++)
        {
            _fired[i] = 0;
        }
        bool invalid = false;
        for (int i = 0; i < _count; i++)
        {
            if (_fds[i] >= 0 && !_registered[i] && !_invalid[i])
            {
                // Refused for lack of kernel memory or watches when it was set: tried again.
                _ = Register(i, _fds[i]);
            }
            if (_invalid[i])
            {
                // As poll answers POLLNVAL at once, every time, until the slot is pointed elsewhere — together with
                // whatever else is ready (so the wait does not sleep, but still collects the other sources).
                _fired[i] = WakeSet.Invalid;
                InvalidSlot = InvalidSlot < 0 ? i : InvalidSlot;
                ready++;
                invalid = true;
            }
        }
        int n = Interop.epoll_wait(_epfd, _ready, _capacity, invalid ? 0 : timeoutMs);
        if (invalid)
        {
            Collect(n, ref ready);
            return WakeOutcome.InvalidFd;
        }
        if (n > 0)
        {
            Collect(n, ref ready);
            return WakeOutcome.Ready;
        }
        if (n == 0)
        {
            return WakeOutcome.Timeout;
        }
        Interop.Errno errno = Interop.LastErrno;
        if (errno == Interop.Errno.EINTR)
        {
            return WakeOutcome.Interrupted;
        }
        LastErrno = (int)errno;
        return WakeOutcome.Failed;
    }

    /// <summary>The slots of the <paramref name="n"/> events epoll_wait answered (none when it failed).</summary>
    private void Collect(int n, ref int ready)
    {
        for (int k = 0; k < n; k++)
        {
            byte* ev = _ready + (k * _eventBytes);
            uint events = Unsafe.ReadUnaligned<uint>(ev);
            ulong slot = Unsafe.ReadUnaligned<ulong>(ev + _dataOffset);
            if (slot < (ulong)_count && _registered[(int)slot])
            {
                ready += _fired[(int)slot] == 0 ? 1 : 0;
                _fired[(int)slot] |= (short)(events & 0x7fff);
            }
        }
    }

    /// <summary>The events that fired for a slot in the last wait (POLLIN, POLLPRI, POLLERR, POLLHUP, or POLLNVAL for an fd that could not be registered).</summary>
    public short Fired(int slot) => _epfd < 0 ? (short)0 : _fired[slot];

    public void Dispose()
    {
        if (_epfd >= 0)
        {
            _ = Interop.close(_epfd);
            _epfd = -1;
            NativeMemory.Free(_ready);
            _ready = null;
        }
    }
}
