namespace Reapd.Model.Kernel;

/// <summary>An allocating task that runs the OOM killer when memory is short.</summary>
internal enum AllocatorPc
{
    Alloc,
    WantLock,
    Select,
    KillV,
    KillV2,
    Done,
}
