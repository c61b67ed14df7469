namespace Reapd.Model.Kernel;

/// <summary>The oom_reaper kthread in oom_reap_task().</summary>
internal enum ReaperPc
{
    Idle,
    LockOom,
    TryLock,
    Check,
    ReadVma1,
    ZapVma1,
    ReadVma2,
    ZapVma2,
    Unlock,
    MmputAsync,
    GiveUp,
}
