namespace Reapd.Model.Kernel;

/// <summary>The 4.13 workqueue that runs __mmput() after the reaper's mmput_async().</summary>
internal enum WorkerPc
{
    Idle,
    InMmput,
    Done,
}
