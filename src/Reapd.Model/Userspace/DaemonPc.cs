namespace Reapd.Model.Userspace;

/// <summary>Where reapd's kill path is.</summary>
internal enum DaemonPc
{
    Idle,
    OpenPidfd,
    Verify,
    FindSharers,
    Kill,
    KillSharers,
    Mrelease,
    Settle,
    KillV2,
}
