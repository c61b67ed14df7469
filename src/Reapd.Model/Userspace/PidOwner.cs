namespace Reapd.Model.Userspace;

/// <summary>Who has the victim's PID number: the victim, nobody (reaped), or a new process that reused it.</summary>
internal enum PidOwner
{
    V1,
    None,
    N,
}
