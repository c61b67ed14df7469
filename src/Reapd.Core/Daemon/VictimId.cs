namespace Reapd.Core.Daemon;

/// <summary>
/// A process as reapd identifies it: the PID and its start time (/proc/PID/stat field 22, clock ticks since boot).
/// Two processes never share both, so a reused PID is a different victim.
/// </summary>
public readonly record struct VictimId(int Pid, ulong StartTimeTicks);
