namespace Reapd.Core.Daemon;

/// <summary>Where the current victim is in the kill protocol.</summary>
public enum VictimPhase
{
    /// <summary>No victim: the gate is open.</summary>
    None,
    /// <summary>SIGTERM sent; the grace is running.</summary>
    Terminating,
    /// <summary>SIGKILL sent (and the reap tried): waiting for its memory to come back.</summary>
    Killed,
}
