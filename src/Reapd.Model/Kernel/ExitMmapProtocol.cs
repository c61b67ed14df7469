namespace Reapd.Model.Kernel;

/// <summary>How exit_mmap() synchronizes with a concurrent reaper (mm/mmap.c of each version).</summary>
public enum ExitMmapProtocol
{
    /// <summary>4.13 and the naive protocol: no lock; OOM_SKIP set at the end of __mmput().</summary>
    Unlocked,
    /// <summary>4.14 as merged: after unmap_vmas, set OOM_SKIP; down_write/up_write only if tsk_is_oom_victim(current).</summary>
    CycleIfCurrentIsVictim,
    /// <summary>4.15 fix (4837fe37adff) through 5.16: if mm_is_oom_victim(mm): set OOM_SKIP, down_write, up_write.</summary>
    CycleIfMmIsVictim,
    /// <summary>Deliberately broken: the 4.15 protocol with the down_write/up_write cycle removed.</summary>
    CycleRemoved,
    /// <summary>5.17: if OOM victim, reap itself and set OOM_SKIP; then the whole teardown under mmap_write_lock.</summary>
    WriteLocked,
    /// <summary>6.0 on: unmap_vmas under mmap_read_lock, set OOM_SKIP, free_pgtables/remove_vma under mmap_write_lock.</summary>
    ReadThenWrite,
}
