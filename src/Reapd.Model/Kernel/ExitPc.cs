namespace Reapd.Model.Kernel;

/// <summary>Where the __mmput() runner is: exit_aio(), then exit_mmap() in the variant's order.</summary>
internal enum ExitPc
{
    None,
    ExitAio,
    ReadLock,
    WaitRead,
    UnmapVmas,
    ReadUnlock,
    SelfReap,
    SetSkip,
    WriteLock,
    WaitWrite,
    WriteUnlock,
    FreePgtables,
    RemoveVma,
    SetSkipAtEnd,
    Mmdrop,
    Done,
}
