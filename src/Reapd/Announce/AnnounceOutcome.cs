namespace Reapd.Announce;

/// <summary>What became of one hook run or desktop notification, handed back to the loop for its event line.</summary>
internal sealed record AnnounceOutcome(
    AnnounceWhat What,
    int VictimPid,
    string VictimName,
    string Result,
    string Detail,
    int ChildPid = 0,
    double DurationMs = 0,
    string Program = "",
    uint Uid = 0,
    string Bus = "");

internal enum AnnounceWhat : byte
{
    BeforeKillHook,
    AfterKillHook,
    DesktopNotification,
    /// <summary>A notice the announcer's queue had no room for (its count is in Detail).</summary>
    Dropped,
}
