namespace Reapd.Model.Userspace;

/// <summary>The __mmput() path: exit_aio() may block on an IO, exit_mmap() frees the memory.</summary>
internal enum ReapdExitPc
{
    None,
    ExitAio,
    ExitMmap,
    Done,
}
