namespace Reapd.Model.Kernel;

/// <summary>Who holds mmap_sem for writing: nobody, the __mmput runner in exit_mmap (X), or the victim's second thread.</summary>
internal enum WriterHolder
{
    None,
    Exit,
    Thread2,
}
