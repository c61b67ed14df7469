namespace Reapd.Guest.Tests;

/// <summary>How one guest is booted. Defaults: 2 vCPUs, 1536 MiB, busybox init that runs the scenario in a chroot.</summary>
public sealed record GuestOptions
{
    public int MemoryMiB { get; init; } = 1536;

    public int Cpus { get; init; } = 2;

    /// <summary>Hard bound on the whole guest, boot included; the guest is killed after it.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(240);

    /// <summary>systemd (the host's /lib/systemd/systemd) as PID 1, running the scenario as a service.</summary>
    public bool Systemd { get; init; }

    /// <summary>Modules to load at boot besides the 9p ones (with their dependencies), e.g. "zram", "fuse".</summary>
    public IReadOnlyList<string> Modules { get; init; } = [];

    /// <summary>systemd units (file name → text) placed in /run/systemd/system before systemd starts.</summary>
    public IReadOnlyDictionary<string, string> Units { get; init; } = new Dictionary<string, string>();
}
