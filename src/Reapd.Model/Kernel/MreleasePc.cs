namespace Reapd.Model.Kernel;

/// <summary>A userspace killer: pidfd_send_signal(SIGKILL), then process_mrelease().</summary>
internal enum MreleasePc
{
    Absent,
    Kill,
    Find,
    LockRead,
    WaitRead,
    CheckSkip,
    ReadVma1,
    ZapVma1,
    ReadVma2,
    ZapVma2,
    Unlock,
    Drop,
    Done,
}
