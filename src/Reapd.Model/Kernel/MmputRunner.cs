namespace Reapd.Model.Kernel;

/// <summary>Who runs __mmput(): the task that dropped the last mm_users reference (4.13: a workqueue after the reaper's mmput_async).</summary>
internal enum MmputRunner
{
    None,
    V,
    T2,
    H,
    W,
}
