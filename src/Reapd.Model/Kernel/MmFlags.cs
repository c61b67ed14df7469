namespace Reapd.Model.Kernel;

/// <summary>The mm->flags bits the protocol reads (include/linux/sched/coredump.h).</summary>
[Flags]
internal enum MmFlags
{
    None = 0,
    /// <summary>MMF_OOM_SKIP: the OOM killer skips this mm; the reaper leaves it alone.</summary>
    OomSkip = 1,
    /// <summary>MMF_UNSTABLE: the reaper has started unmapping.</summary>
    Unstable = 2,
    /// <summary>MMF_OOM_VICTIM (4.15-5.19): set by mark_oom_victim(), never cleared.</summary>
    OomVictim = 4,
}
