namespace Reapd.Daemon;

/// <summary>What woke the loop for a cycle (several at once are possible); the trigger event names them.</summary>
[Flags]
internal enum Wake
{
    None = 0,
    Timer = 1,
    Psi = 2,
    CgroupEvent = 4,
    VictimExit = 8,
    Stop = 16,
    Start = 32,
    Reaper = 64,
}
