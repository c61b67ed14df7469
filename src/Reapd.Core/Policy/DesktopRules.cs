namespace Reapd.Core.Policy;

/// <summary>
/// The built-in desktop rules (<see cref="Daemon.DaemonConfig.DesktopDefaults"/>), applied after the configuration's
/// own: a browser's renderer and utility processes go before the browser's main process (losing a tab is better than
/// losing the browser), and the session, the display server, the compositor, audio, the message bus and sshd are
/// protected (losing them loses every window, or the way in). docs/rules.md gives the reason for each entry. Names are
/// comm as the kernel keeps it: at most 15 bytes, so "Isolated Web Content" is "Isolated Web Co".
/// </summary>
public static class DesktopRules
{
    /// <summary>Chromium's --type switch for the processes a browser restarts on demand (a tab, a service).</summary>
    public const string ChromiumChildPattern = "(^| )--type=(renderer|utility)( |$)";

    /// <summary>Every Chromium child process (renderer, zygote, GPU, utility...) carries a --type switch; the main process none.</summary>
    public const string ChromiumAnyChildPattern = "(^| )--type=";

    /// <summary>Firefox's child processes carry -contentproc; the main process does not.</summary>
    public const string FirefoxChildPattern = "(^| )-contentproc( |$)";

    private static readonly string[] s_firefoxContent =
        ["Isolated Web Co", "Web Content", "WebExtensions", "Privileged Cont", "RDD Process", "Utility Process"];

    private static readonly string[] s_chromiumMain = ["chrome", "chromium", "brave", "msedge", "vivaldi-bin", "opera"];

    private static readonly string[] s_firefoxMain = ["firefox", "firefox-esr", "firefox-bin"];

    private static readonly string[] s_protected =
    [
        // Display servers and compositors: every window of the session dies with them.
        "Xorg", "Xwayland", "gnome-shell", "kwin_wayland", "kwin_wayland_wr", "kwin_x11", "plasmashell", "sway", "Hyprland",
        "weston", "mutter",
        // Session managers and display managers (gdm-session-worker, gdm-wayland-session are cut to 15 bytes).
        "gnome-session-b", "ksmserver", "gdm", "gdm3", "gdm-session-wor", "gdm-wayland-ses", "gdm-x-session", "sddm",
        "sddm-helper", "lightdm",
        // The message buses every desktop program talks through (dbus-broker-launch is cut to 15 bytes).
        "dbus-daemon", "dbus-broker", "dbus-broker-lau",
        // Audio: its loss silences every program and some desktops stall waiting for it.
        "pipewire", "pipewire-pulse", "wireplumber", "pulseaudio",
        // The way in when the desktop is unusable (sshd-session: per-connection processes since OpenSSH 9.8).
        "sshd", "sshd-session",
    ];

    /// <summary>The rules, in the order they apply.</summary>
    public static IReadOnlyList<PolicyRule> All { get; } = Build();

    private static PolicyRule[] Build()
    {
        var rules = new List<PolicyRule>
        {
            new("desktop: chromium renderer or utility", RuleAction.Prefer, new RuleMatch { Cmdline = ChromiumChildPattern }, SourcePosition.BuiltIn),
        };
        foreach (string comm in s_firefoxContent)
        {
            rules.Add(new("desktop: firefox " + comm, RuleAction.Prefer, new RuleMatch { Comm = comm }, SourcePosition.BuiltIn));
        }
        foreach (string comm in s_chromiumMain)
        {
            rules.Add(new("desktop: browser main " + comm, RuleAction.Avoid,
                new RuleMatch { Comm = comm, CmdlineNot = ChromiumAnyChildPattern }, SourcePosition.BuiltIn));
        }
        foreach (string comm in s_firefoxMain)
        {
            rules.Add(new("desktop: browser main " + comm, RuleAction.Avoid,
                new RuleMatch { Comm = comm, CmdlineNot = FirefoxChildPattern }, SourcePosition.BuiltIn));
        }
        // systemd --user: the user's service manager (PID 1 is never chosen anyway); "--user" tells it from a
        // container's init or systemd-run's helpers.
        rules.Add(new("desktop: protect systemd --user", RuleAction.Protect,
            new RuleMatch { Comm = "systemd", Cmdline = "(^| )--user( |$)" }, SourcePosition.BuiltIn));
        foreach (string comm in s_protected)
        {
            rules.Add(new("desktop: protect " + comm, RuleAction.Protect, new RuleMatch { Comm = comm }, SourcePosition.BuiltIn));
        }
        return [.. rules];
    }
}
