using Reapd.Linux.Proc;
using Reapd.Linux.Sensors;

namespace Reapd.Linux.Kill;

/// <summary>
/// The cgroup v2 freezer (cgroup.freeze, Linux 5.2) around a cgroup-scope kill (docs/cgroups.md): while a unit is frozen
/// none of its processes runs, so none forks, and a child or a migrant that arrives is frozen on arrival; SIGKILL still
/// reaches a frozen process (the v2 freezer parks tasks in a signal trap that a fatal signal ends). Dispose or
/// <see cref="Thaw"/> undoes the freeze, once, and only a freeze this object wrote: a unit its owner had frozen stays
/// frozen. Not on the quiet cycle: it allocates and waits (bounded).
/// </summary>
public sealed class CgroupFreeze : IDisposable
{
    // Kept open from the freeze to the thaw: re-opening cgroup.freeze to thaw could fail with EMFILE once the kill has
    // opened a pidfd per member, and a unit left frozen is worse than any kill reapd could miss.
    private readonly KernelFileHandle _control;
    private bool _thawPending;

    private CgroupFreeze(KernelFileHandle control, bool thawPending)
    {
        _control = control;
        _thawPending = thawPending;
    }

    /// <summary>0, or the errno of a thaw that failed (the unit may still be frozen; the caller reports it).</summary>
    public int ThawErrno { get; private set; }

    /// <summary>The cgroup was frozen by its owner before: this object neither froze nor will thaw it.</summary>
    public bool FrozenByOwner => !_thawPending;

    /// <summary>
    /// Writes "1" to <paramref name="directory"/>/cgroup.freeze and waits, at most <paramref name="boundMs"/>, for
    /// "frozen 1" in its cgroup.events and in that of every cgroup below it (poll(2) on the file that does not say it
    /// yet: the kernel notifies the change). The bound starts before the write, which waits for cgroup_mutex and which
    /// reapd cannot cut short: a write that takes longer than the bound ends in TimedOut, after it. On Frozen,
    /// <paramref name="freeze"/> holds the thaw; on any other outcome the cgroup is as it was (thawed again when the
    /// bound passed) and <paramref name="freeze"/> is null. cgroup.freeze is opened once, before the write of 1, and
    /// that fd does the thaw: the thaw needs no new fd. Any exception after the write of 1 thaws before it propagates.
    /// <paramref name="thawErrno"/> is the errno of the thaw when the freeze did not complete and undoing it failed (the
    /// unit may be left frozen: the caller reports it), else 0.
    /// </summary>
    public static CgroupFreezeOutcome TryFreeze(string directory, int boundMs, out CgroupFreeze? freeze, out int thawErrno)
    {
        freeze = null;
        thawErrno = 0;
        // The bound starts here, before the write of 1, so that it covers the write (which waits for cgroup_mutex and
        // cannot be interrupted: a slow write leaves less time to wait, and may end in TimedOut).
        long deadlineMs = Environment.TickCount64 + boundMs;
        ProcReadOutcome opened = CgroupEventsWatch.TryOpen(Path.Combine(directory, "cgroup.events"), out CgroupEventsWatch? watch);
        if (opened != ProcReadOutcome.Ok)
        {
            return Directory.Exists(directory) ? CgroupFreezeOutcome.Unsupported : CgroupFreezeOutcome.Gone;
        }
        using CgroupEventsWatch events = watch!;
        string controlPath = Path.Combine(directory, "cgroup.freeze");
        bool ownerFroze;
        try
        {
            ownerFroze = File.ReadAllText(controlPath).Trim() == "1";
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return Directory.Exists(directory) ? CgroupFreezeOutcome.Unsupported : CgroupFreezeOutcome.Gone;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return CgroupFreezeOutcome.Unsupported;
        }
        if (ownerFroze)
        {
            // Nothing to undo: no fd kept.
            freeze = new CgroupFreeze(new KernelFileHandle(-1), thawPending: false);
            return CgroupFreezeOutcome.Frozen;
        }
        // Opened before the write of 1: if there is no fd for it, nothing is frozen yet.
        int fd = KernelTextFile.Open(controlPath, Interop.O_WRONLY, out int openErrno);
        if (fd < 0)
        {
            return openErrno is (int)Interop.Errno.ENOENT or (int)Interop.Errno.ENODEV ? CgroupFreezeOutcome.Gone : CgroupFreezeOutcome.Unsupported;
        }
        var held = new CgroupFreeze(new KernelFileHandle(fd), thawPending: false);
        int written = held.WriteControl(Freeze1);
        if (written != 0)
        {
            held._control.Dispose();
            return written is (int)Interop.Errno.ENOENT or (int)Interop.Errno.ENODEV ? CgroupFreezeOutcome.Gone : CgroupFreezeOutcome.Unsupported;
        }
        held._thawPending = true;
        try
        {
            CgroupFreezeOutcome outcome = WaitFrozen(directory, events, deadlineMs);
            if (outcome == CgroupFreezeOutcome.Frozen)
            {
                freeze = held;
            }
            else
            {
                held.Dispose();
                thawErrno = held.ThawErrno;
            }
            return outcome;
        }
        catch
        {
            held.Dispose(); // whatever failed, the unit is not left frozen (a failed thaw is in ThawErrno, lost with the exception)
            throw;
        }
    }

    /// <summary>After the write of 1: waits for every cgroup of the subtree to say "frozen 1" (see TryFreeze).</summary>
    private static CgroupFreezeOutcome WaitFrozen(string directory, CgroupEventsWatch events, long deadlineMs)
    {
        // The unit's own "frozen 1" is not enough (docs/cgroups.md, measured): kernel/cgroup/freezer.c sets an ancestor's
        // frozen bit from its own tasks alone (cgroup_update_frozen) or from its descendants alone
        // (cgroup_propagate_frozen), so a unit with processes of its own and a child cgroup can say "frozen 1" while
        // the other half still runs. A leaf's bit counts only its own tasks, which is exact, so the wait ends when the
        // unit and every cgroup below it say "frozen 1" at one pass. What remains (the unit's own processes still
        // running while its bit was set from below) is why the kill sweeps the unit again (ScopeKill.KillMembers).
        List<string> cgroups = [directory, .. Descendants(directory)];
        while (true)
        {
            string? waitOn = null;
            foreach (string cgroup in cgroups)
            {
                ReadOnlySpan<byte> text;
                ProcReadOutcome read;
                if (cgroup == directory)
                {
                    // Read before each wait: the freeze may have completed before the poll armed.
                    read = events.Drain(out text);
                    if (read != ProcReadOutcome.Ok)
                    {
                        return CgroupFreezeOutcome.Gone; // the caller thaws
                    }
                }
                else if (!TryReadEvents(cgroup, out text))
                {
                    continue; // a child cgroup removed meanwhile holds nothing to freeze
                }
                if (!IsFrozen(text))
                {
                    waitOn = cgroup;
                    break;
                }
            }
            if (waitOn is null)
            {
                return CgroupFreezeOutcome.Frozen;
            }
            long leftMs = deadlineMs - Environment.TickCount64;
            if (leftMs <= 0 || !WaitForChange(waitOn == directory ? events : null, waitOn, deadlineMs))
            {
                return CgroupFreezeOutcome.TimedOut; // the caller thaws
            }
        }
    }

    /// <summary>
    /// Waits until <paramref name="deadlineMs"/> (Environment.TickCount64) at most for the kernel to notify a change of <paramref name="cgroup"/>'s
    /// cgroup.events (POLLPRI; the kernel spaces its notifications of one file 10-20 ms apart and defers the ones in
    /// between, never drops them). False when the time ran out or the wait failed.
    /// </summary>
    private static bool WaitForChange(CgroupEventsWatch? open, string cgroup, long deadlineMs)
    {
        CgroupEventsWatch? owned = null;
        if (open is null)
        {
            if (CgroupEventsWatch.TryOpen(Path.Combine(cgroup, "cgroup.events"), out owned) != ProcReadOutcome.Ok)
            {
                return true; // removed meanwhile: the next pass skips it
            }
            // Armed only now: the state may have changed since the pass read it, and poll(2) on a kernfs file reports
            // a change only after the first read, so read once before the wait.
            if (owned!.Drain(out ReadOnlySpan<byte> now) != ProcReadOutcome.Ok || IsFrozen(now))
            {
                owned.Dispose();
                return true;
            }
        }
        try
        {
            CgroupEventsWatch watch = open ?? owned!;
            using var wake = new WakeSet(1);
            wake.Add(watch.Fd, CgroupEventsWatch.PollEvents);
            while (true)
            {
                long leftMs = deadlineMs - Environment.TickCount64;
                if (leftMs <= 0)
                {
                    return false;
                }
                WakeOutcome woke = wake.Wait((int)leftMs, out _);
                if (woke != WakeOutcome.Interrupted)
                {
                    return woke == WakeOutcome.Ready;
                }
                // EINTR (a signal handler ran, the stop handler's say): not a timeout; wait again for what is left.
            }
        }
        finally
        {
            owned?.Dispose();
        }
    }

    /// <summary>Every cgroup directory below <paramref name="directory"/>, parents before children; none when unreadable.</summary>
    private static List<string> Descendants(string directory)
    {
        try
        {
            return [.. Directory.EnumerateDirectories(directory, "*", SearchOption.AllDirectories)];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return []; // a child removed during the walk: the unit's own bit alone is waited for
        }
    }

    private static bool TryReadEvents(string cgroup, out ReadOnlySpan<byte> text)
    {
        try
        {
            text = File.ReadAllBytes(Path.Combine(cgroup, "cgroup.events"));
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            text = default;
            return false;
        }
    }

    /// <summary>
    /// Writes "0" to cgroup.freeze (through the fd opened at the freeze: no fd is needed now) if this object froze the
    /// cgroup and has not thawed it yet. Never throws. False when the write failed: <see cref="ThawErrno"/> has the errno
    /// (ENOENT or ENODEV: the cgroup is gone, which is no failure and returns true).
    /// </summary>
    public bool Thaw()
    {
        if (!_thawPending)
        {
            return ThawErrno == 0;
        }
        _thawPending = false;
        int errno = WriteControl(Freeze0);
        _control.Dispose();
        if (errno is (int)Interop.Errno.ENOENT or (int)Interop.Errno.ENODEV)
        {
            errno = 0;
        }
        ThawErrno = errno;
        return errno == 0;
    }

    public void Dispose()
    {
        _ = Thaw();
        _control.Dispose();
    }

    /// <summary>Whether cgroup.events text has the line "frozen 1".</summary>
    public static bool IsFrozen(ReadOnlySpan<byte> events)
    {
        int at = events.IndexOf("frozen 1"u8);
        return at >= 0 && (at == 0 || events[at - 1] == (byte)'\n')
            && (at + 8 == events.Length || events[at + 8] == (byte)'\n');
    }

    private static ReadOnlySpan<byte> Freeze1 => "1"u8;

    private static ReadOnlySpan<byte> Freeze0 => "0"u8;

    /// <summary>One write(2) of pre-encoded bytes to the kept fd; 0 or the errno. Allocates nothing.</summary>
    private unsafe int WriteControl(ReadOnlySpan<byte> bytes)
    {
        bool added = false;
        try
        {
            _control.DangerousAddRef(ref added);
            fixed (byte* p = bytes)
            {
                while (true)
                {
                    nint n = Interop.write(_control.Fd, p, (nuint)bytes.Length);
                    if (n == bytes.Length)
                    {
                        return 0;
                    }
                    if (n < 0 && Interop.LastErrno == Interop.Errno.EINTR)
                    {
                        continue;
                    }
                    return n < 0 ? (int)Interop.LastErrno : (int)Interop.Errno.EIO;
                }
            }
        }
        catch (ObjectDisposedException)
        {
            return (int)Interop.Errno.EBADF;
        }
        finally
        {
            if (added)
            {
                _control.DangerousRelease();
            }
        }
    }
}
