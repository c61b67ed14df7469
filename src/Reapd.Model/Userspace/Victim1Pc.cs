namespace Reapd.Model.Userspace;

/// <summary>The first victim process in do_exit(): Exiting is between exit_mm() and exit_notify(); Zombie has a readable pidfd.</summary>
internal enum Victim1Pc
{
    Alive,
    InMmput,
    Exiting,
    Zombie,
    Reaped,
}
