namespace Reapd.Model.Kernel;

/// <summary>mm->mmap (4.x-5.16) or the maple tree (6.1+): Stale after remove_vma without a reset, Empty after the 5.17 reset or __mt_destroy.</summary>
internal enum VmaListState
{
    Valid,
    Stale,
    Empty,
}
