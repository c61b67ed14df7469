namespace Reapd.Model.Kernel;

/// <summary>Who holds oom_lock: an allocator in out_of_memory(), or (4.13, 4.14) the reaper.</summary>
internal enum OomLockOwner
{
    None,
    A1,
    A2,
    R,
}
