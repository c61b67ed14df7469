namespace Reapd.Announce;

/// <summary>`--notify-desktop`: whether a kill is announced on the logged-in users' session buses.</summary>
internal enum DesktopNotifyMode : byte
{
    /// <summary>To every session bus found at the time of the kill; none found is not worth a line (a server).</summary>
    Auto,
    /// <summary>As auto, and a kill with no session bus to tell is reported.</summary>
    On,
    Off,
}
