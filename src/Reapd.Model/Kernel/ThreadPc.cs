namespace Reapd.Model.Kernel;

/// <summary>The victim's optional second thread: it holds mmap_sem for writing while it waits for an IO that may never complete.</summary>
internal enum ThreadPc
{
    Absent,
    BlockedHoldingWrite,
    HoldsWrite,
    Alive,
    InMmput,
    Done,
}
