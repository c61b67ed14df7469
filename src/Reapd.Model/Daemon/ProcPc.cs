namespace Reapd.Model.Daemon;

/// <summary>Where one modelled process is in its life, as far as signals, pidfds and its mm are concerned.</summary>
internal enum ProcPc : byte
{
    /// <summary>Not created (yet): the vfork child before the vfork, the process that will reuse the victim's PID.</summary>
    Absent,
    /// <summary>Alive, not dying: it holds its mm.</summary>
    Running,
    /// <summary>SIGKILLed or exiting on its own, still holding its mm (before exit_mm).</summary>
    Dying,
    /// <summary>Dropped the mm as its last user and runs __mmput (exit_aio, exit_mmap); its pidfd is not readable yet.</summary>
    InMmput,
    /// <summary>Exited: the pidfd is readable; the PID is still held until the parent reaps it.</summary>
    Zombie,
    /// <summary>Reaped by its parent: the PID is free for reuse.</summary>
    Reaped,
}
