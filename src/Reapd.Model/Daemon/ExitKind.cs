namespace Reapd.Model.Daemon;

/// <summary>How the first victim's exit goes once it starts (one per scenario).</summary>
internal enum ExitKind : byte
{
    /// <summary>exit_mmap frees everything in one step.</summary>
    Normal,
    /// <summary>exit_mmap frees one unit per step and at least one per tick (a CPU-starved exit that progresses).</summary>
    Slow,
    /// <summary>The last mmput blocks in exit_aio forever: ESRCH, the pidfd never readable, the memory never back.</summary>
    AioStuck,
    /// <summary>A thread stuck on a FUSE request keeps the mm: the reap works, the exit never completes.</summary>
    FuseStuck,
}
