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

    /// <summary>
    /// The root as an overlay: this machine's root (read-only 9p) below, a tmpfs above, so that the guest can install
    /// packages (/usr, /etc, /var/lib/dpkg) and the host's files stay as they are. /var is then the host's, copied up
    /// on write, instead of an empty tmpfs; the upper layer (every file the guest wrote) is at
    /// <see cref="QemuGuest.OverlayUpper"/> in the guest.
    /// </summary>
    public bool WritableRoot { get; init; }

    /// <summary>Modules to load at boot besides the 9p ones (with their dependencies), e.g. "zram", "fuse".</summary>
    public IReadOnlyList<string> Modules { get; init; } = [];

    /// <summary>systemd units (file name → text) placed in /run/systemd/system before systemd starts.</summary>
    public IReadOnlyDictionary<string, string> Units { get; init; } = new Dictionary<string, string>();
}
