using System.Globalization;
using Reapd.Linux.Proc;

namespace Reapd.Linux.Sensors;

/// <summary>
/// cgroup v1 memory notifications (docs/kernel.md C.6), each an eventfd registered through cgroup.event_control:
/// vmpressure ("medium,hierarchy": reclaim is struggling anywhere in the subtree; critical events reach medium
/// listeners too) and the memcg OOM notification of memory.oom_control. They only wake the loop early; the
/// decision is always made on a fresh sample. Owns the eventfds and the files they were registered against.
/// </summary>
public sealed class CgroupV1Notifications : IDisposable
{
    public const string PressureLevelArgument = "medium,hierarchy";

    private readonly List<KernelFileHandle> _files = [];

    private CgroupV1Notifications()
    {
    }

    /// <summary>Signalled on vmpressure events at medium level or worse; null if registration failed.</summary>
    public EventFdHandle? Pressure { get; private set; }

    /// <summary>Signalled when the group hits its limit with nothing left to reclaim (the memcg OOM path); null if registration failed.</summary>
    public EventFdHandle? Oom { get; private set; }

    /// <summary>Registers both notifications; <paramref name="problems"/> lists any that failed (with errno) — the daemon still works on its timer.</summary>
    public static CgroupV1Notifications Register(string directory, out string? problems)
    {
        var notifications = new CgroupV1Notifications();
        var failed = new List<string>();
        notifications.Pressure = notifications.RegisterOne(directory, "memory.pressure_level", PressureLevelArgument, failed);
        notifications.Oom = notifications.RegisterOne(directory, "memory.oom_control", null, failed);
        problems = failed.Count == 0 ? null : string.Join("; ", failed);
        return notifications;
    }

    public void Dispose()
    {
        Pressure?.Dispose();
        Oom?.Dispose();
        foreach (KernelFileHandle file in _files)
        {
            file.Dispose();
        }
    }

    private EventFdHandle? RegisterOne(string directory, string controlFile, string? argument, List<string> failed)
    {
        EventFdHandle? eventFd = EventFdHandle.Create(out int errno);
        if (eventFd is null)
        {
            failed.Add($"eventfd for {controlFile}: errno {errno}");
            return null;
        }
        int targetFd = KernelTextFile.Open(Path.Combine(directory, controlFile), Interop.O_RDONLY, out errno);
        if (targetFd < 0)
        {
            failed.Add($"{controlFile}: errno {errno}");
            eventFd.Dispose();
            return null;
        }
        var target = new KernelFileHandle(targetFd);
        int controlFd = KernelTextFile.Open(Path.Combine(directory, "cgroup.event_control"), Interop.O_WRONLY, out errno);
        if (controlFd < 0)
        {
            failed.Add($"cgroup.event_control: errno {errno}");
            target.Dispose();
            eventFd.Dispose();
            return null;
        }
        using var control = new KernelFileHandle(controlFd);
        string line = argument is null
            ? string.Create(CultureInfo.InvariantCulture, $"{eventFd.Fd} {targetFd}")
            : string.Create(CultureInfo.InvariantCulture, $"{eventFd.Fd} {targetFd} {argument}");
        errno = KernelTextFile.Write(controlFd, line);
        if (errno != 0)
        {
            failed.Add($"registering {controlFile}: errno {errno}");
            target.Dispose();
            eventFd.Dispose();
            return null;
        }
        _files.Add(target);
        return eventFd;
    }
}
