namespace Reapd.Model.Daemon;

/// <summary>The victim's mm (the one a vfork child may share): alive, torn down by __mmput, stuck, or freed.</summary>
internal enum MmPc : byte
{
    /// <summary>Some process still holds it (mm_users above 0).</summary>
    Live,
    /// <summary>The last user runs exit_mmap: its memory comes back.</summary>
    Teardown,
    /// <summary>The last user waits in exit_aio for an IO that never completes: the memory never comes back.</summary>
    AioBlocked,
    /// <summary>exit_mmap is done.</summary>
    Freed,
}
