namespace Reapd.Model.Kernel;

/// <summary>The FIFO of tasks blocked on mmap_sem: X is the __mmput runner in exit_mmap, U the process_mrelease caller; at most these two ever block.</summary>
internal enum RwsemQueue
{
    Empty,
    X,
    U,
    XU,
    UX,
}
