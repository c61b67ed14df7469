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
    private readonly string _directory;
    private bool _thawPending;

    private CgroupFreeze(string directory, bool thawPending)
    {
        _directory = directory;
        _thawPending = thawPending;
    }

    /// <summary>The cgroup was frozen by its owner before: this object neither froze nor will thaw it.</summary>
    public bool FrozenByOwner => !_thawPending;

    /// <summary>
    /// Writes "1" to <paramref name="directory"/>/cgroup.freeze and waits, at most <paramref name="boundMs"/>, for
    /// "frozen 1" in its cgroup.events and in that of every cgroup below it (poll(2) on the file that does not say it
    /// yet: the kernel notifies the change). The bound starts after the write, which waits for the cgroup mutex. On Frozen,
    /// <paramref name="freeze"/> holds the thaw; on any other outcome the cgroup is as it was (thawed again when the
    /// bound passed) and <paramref name="freeze"/> is null.
    /// </summary>
    public static CgroupFreezeOutcome TryFreeze(string directory, int boundMs, out CgroupFreeze? freeze)
    {
        freeze = null;
        ProcReadOutcome opened = CgroupEventsWatch.TryOpen(Path.Combine(directory, "cgroup.events"), out CgroupEventsWatch? watch);
        if (opened != ProcReadOutcome.Ok)
        {
            return Directory.Exists(directory) ? CgroupFreezeOutcome.Unsupported : CgroupFreezeOutcome.Gone;
        }
        using CgroupEventsWatch events = watch!;
        string control = Path.Combine(directory, "cgroup.freeze");
        bool ownerFroze;
        try
        {
            ownerFroze = File.ReadAllText(control).Trim() == "1";
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return Directory.Exists(directory) ? CgroupFreezeOutcome.Unsupported : CgroupFreezeOutcome.Gone;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return CgroupFreezeOutcome.Unsupported;
        }
        var held = new CgroupFreeze(directory, thawPending: false);
        if (!ownerFroze)
        {
            int written = Write(control, "1");
            if (written != 0)
            {
                return written is (int)Interop.Errno.ENOENT or (int)Interop.Errno.ENODEV ? CgroupFreezeOutcome.Gone : CgroupFreezeOutcome.Unsupported;
            }
            held._thawPending = true;
        }
        // The unit's own "frozen 1" is not enough (docs/cgroups.md, measured): kernel/cgroup/freezer.c sets an ancestor's
        // frozen bit from its own tasks alone (cgroup_update_frozen) or from its descendants alone
        // (cgroup_propagate_frozen), so a unit with processes of its own and a child cgroup can say "frozen 1" while
        // the other half still runs. A leaf's bit counts only its own tasks, which is exact, so the wait ends when the
        // unit and every cgroup below it say "frozen 1" at one pass. What remains (the unit's own processes still
        // running while its bit was set from below) is why the kill sweeps the unit again (ScopeKill.KillMembers).
        long deadlineMs = Environment.TickCount64 + boundMs;
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
                        held.Thaw();
                        return CgroupFreezeOutcome.Gone;
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
                freeze = held;
                return CgroupFreezeOutcome.Frozen;
            }
            long leftMs = deadlineMs - Environment.TickCount64;
            if (leftMs <= 0 || !WaitForChange(waitOn == directory ? events : null, waitOn, (int)leftMs))
            {
                held.Thaw();
                return CgroupFreezeOutcome.TimedOut;
            }
        }
    }

    /// <summary>
    /// Waits at most <paramref name="timeoutMs"/> for the kernel to notify a change of <paramref name="cgroup"/>'s
    /// cgroup.events (POLLPRI; the kernel spaces its notifications of one file 10-20 ms apart and defers the ones in
    /// between, never drops them). False when the time ran out or the wait failed.
    /// </summary>
    private static bool WaitForChange(CgroupEventsWatch? open, string cgroup, int timeoutMs)
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
            return wake.Wait(timeoutMs, out _) == WakeOutcome.Ready;
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

    /// <summary>Writes "0" to cgroup.freeze if this object froze the cgroup and has not thawed it yet. Never throws.</summary>
    public void Thaw()
    {
        if (!_thawPending)
        {
            return;
        }
        _thawPending = false;
        // A failure leaves nothing to do: the cgroup is gone (ENOENT, ENODEV), or a write this process could make a
        // moment ago is refused now, which no retry on the kill path would change.
        _ = Write(Path.Combine(_directory, "cgroup.freeze"), "0");
    }

    public void Dispose() => Thaw();

    /// <summary>Whether cgroup.events text has the line "frozen 1".</summary>
    public static bool IsFrozen(ReadOnlySpan<byte> events)
    {
        int at = events.IndexOf("frozen 1"u8);
        return at >= 0 && (at == 0 || events[at - 1] == (byte)'\n')
            && (at + 8 == events.Length || events[at + 8] == (byte)'\n');
    }

    private static int Write(string path, string text)
    {
        int fd = KernelTextFile.Open(path, Interop.O_WRONLY, out int errno);
        if (fd < 0)
        {
            return errno;
        }
        try
        {
            return KernelTextFile.Write(fd, text);
        }
        finally
        {
            _ = Interop.close(fd);
        }
    }
}
