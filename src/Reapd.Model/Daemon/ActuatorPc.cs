namespace Reapd.Model.Daemon;

/// <summary>Where the daemon loop is: idle (wake-ups, then a sample), or inside a Scan or Signal command.</summary>
internal enum ActuatorPc : byte
{
    Idle,
    /// <summary>The core asked for a scan: the next step reads the processes and answers OnScanned.</summary>
    Scan,
    /// <summary>Signal to a new victim: pidfd_open(pid).</summary>
    Open,
    /// <summary>Signal to a new victim: re-read the start time of the PID.</summary>
    CheckStart,
    /// <summary>The mm-sharer search (kcmp KCMP_VM against the victim held by its pidfd).</summary>
    Search,
    /// <summary>SIGTERM to the victim only.</summary>
    SendTerm,
    /// <summary>SIGKILL to every sharer found, each re-checked right before its signal.</summary>
    KillSharers,
    /// <summary>SIGKILL to the victim.</summary>
    KillVictim,
}
