namespace Reapd.Model.Daemon;

/// <summary>
/// One state of the daemon model: the processes and the victim's mm (the kernel side), the reaper thread, the daemon
/// loop and its actuator, the bookkeeping the properties need, and the production core's state as a canonical
/// <see cref="CoreSnapshot"/>. Value equality over every field: the model interns these (see DaemonModel).
/// </summary>
internal record struct DaemonWorld
{
    // The scenario (fixed for a run).
    public ExitKind Exit;
    public bool ShmemHeavy;
    public bool Vfork;

    // The processes.
    public ProcPc A;
    public ProcPc B;
    public ProcPc C;
    public ProcPc V;
    public ProcPc N;

    /// <summary>A received SIGTERM (it may exit on it, shrink, or ignore it).</summary>
    public bool ATermed;
    public bool AShrunk;

    /// <summary>V still shares A's mm (it has not exec'd).</summary>
    public bool VShares;

    /// <summary>A's mm: anonymous and shmem units still mapped, and where its teardown is.</summary>
    public MmPc Mm;
    public byte MmAnon;
    public byte MmShmem;

    /// <summary>reapd knows of V: a sharer search found it, or reapd signalled it.</summary>
    public bool VFound;

    /// <summary>The teardown was started by V leaving the mm (exec or its own exit) while reapd knew nothing of it.</summary>
    public bool MmReleasedByUnknown;

    /// <summary>A slow teardown freed a unit since the last tick (the tick waits for it).</summary>
    public bool MmProgressed;

    /// <summary>B's memory (its own mm) in units; C holds one unit while it has its mm.</summary>
    public byte BUnits;
    public byte CUnits;

    /// <summary>Available memory as it was before the latest change: what a lagging sample shows.</summary>
    public sbyte LagAvailable;

    // The reaper thread.
    public ReaperThreadPc Reaper;
    public sbyte ReapTarget;
    public sbyte ReapFor;
    public byte ReapRounds;
    public Reapd.Core.Daemon.ReapObservation ReapAnswer;

    /// <summary>An mm lock writer that never progresses: process_mrelease waits behind it forever.</summary>
    public bool ReaperBlocked;

    // The daemon loop and its actuator.
    public ActuatorPc Loop;

    /// <summary>The loop took its sample of this tick (it samples once a tick: the longest interval is one tick).</summary>
    public bool Sampled;

    /// <summary>The process the victim's pidfd refers to (-1: none held).</summary>
    public sbyte Pidfd;
    public bool VictimSeen;

    /// <summary>Sharers the actuator holds pidfds for and watches (bit per slot), and those seen exited.</summary>
    public byte Sharers;
    public byte SharersSeen;

    // Ground truth for the properties.
    public sbyte PrevVictim;
    public ReleaseKind PrevRelease;

    /// <summary>The last victim's memory was coming back at the moment the core let it go.</summary>
    public bool PrevBackAtRelease;

    public CoreSnapshot Core;
}
