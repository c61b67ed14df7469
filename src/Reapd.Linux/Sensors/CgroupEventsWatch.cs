using Reapd.Linux.Proc;

namespace Reapd.Linux.Sensors;

/// <summary>
/// A wake-up source on a cgroup v2 "events" file (memory.events, memory.events.local, cgroup.events). These are kernfs
/// files: when a counter changes the kernel calls kernfs_notify() (fs/kernfs/file.c), which wakes poll() waiters and
/// also raises an inotify IN_MODIFY on the file. poll() on such a file always reports the default mask
/// (POLLIN|POLLOUT), and adds POLLPRI|POLLERR while the file changed since this open file last read it; reading the
/// file (kernfs_seq_show) takes the new event count and so re-arms it. So: add <see cref="Fd"/> to the wait with
/// <see cref="PollEvents"/> (never POLLIN: it is always set), and after it fired call <see cref="Drain"/>, which re-reads
/// the file into a preallocated buffer (allocation-free) and gives its text. Measured on Debian's 6.1 and 6.12 and on
/// 6.18 (docs/platforms.md); inotify IN_MODIFY is the alternative where poll() would not work. Owns the fd.
/// </summary>
public sealed class CgroupEventsWatch : IDisposable
{
    /// <summary>What to wait for: kernfs_generic_poll() adds POLLERR|POLLPRI on a change (POLLERR is always reported).</summary>
    public const short PollEvents = Interop.POLLPRI;

    private readonly KeptOpenFile _file;

    private CgroupEventsWatch(KeptOpenFile file, int fd)
    {
        _file = file;
        Fd = fd;
    }

    /// <summary>The events file, e.g. /sys/fs/cgroup/a/memory.events.</summary>
    public string Path => _file.Path;

    /// <summary>The fd to poll (valid until Dispose).</summary>
    public int Fd { get; private set; }

    /// <summary>
    /// Opens <paramref name="path"/> and reads it once, so that only later changes wake the poll. Gone when the file
    /// (or the cgroup) does not exist: no v2 memory controller there, or the cgroup was removed.
    /// </summary>
    public static ProcReadOutcome TryOpen(string path, out CgroupEventsWatch? watch)
    {
        watch = null;
        ProcReadOutcome opened = KeptOpenFile.TryOpen(path, 1024, out KeptOpenFile? file);
        if (opened != ProcReadOutcome.Ok)
        {
            return opened;
        }
        var created = new CgroupEventsWatch(file!, file!.Fd);
        ProcReadOutcome read = created.Drain(out _);
        if (read != ProcReadOutcome.Ok)
        {
            created.Dispose();
            return read;
        }
        watch = created;
        return ProcReadOutcome.Ok;
    }

    /// <summary>True when <paramref name="revents"/> (from the poll of <see cref="Fd"/>) says the file changed.</summary>
    public static bool Changed(short revents) => (revents & (Interop.POLLPRI | Interop.POLLERR)) != 0;

    /// <summary>Re-reads the file (which re-arms the notification) and gives its text, valid until the next call.</summary>
    public ProcReadOutcome Drain(out ReadOnlySpan<byte> contents) => _file.Read(out contents);

    public void Dispose()
    {
        Fd = -1;
        _file.Dispose();
    }
}
