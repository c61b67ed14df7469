namespace Reapd.Model.Kernel;

/// <summary>What the reaper checks once it holds mmap_sem for reading, before it walks the VMAs.</summary>
public enum ReaperGuard
{
    /// <summary>4.13: mmget_not_zero(); bail out ("success") when mm_users is already 0.</summary>
    MmUsers,
    /// <summary>The naive protocol: no check at all.</summary>
    None,
    /// <summary>4.14 on: bail out when MMF_OOM_SKIP is set (exit_mmap owns the mm).</summary>
    OomSkip,
}
